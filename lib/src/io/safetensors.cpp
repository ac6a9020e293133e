// safetensors reading (header through io/json.hpp, offsets checked to tile the buffer) and
// writing; see io/safetensors.hpp.
#include "firmnet/io/safetensors.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>
#include <string_view>

#include "elements.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/json.hpp"

namespace firmnet::io {

namespace {

constexpr std::string_view kMetadataKey = "__metadata__";

struct DtypeName {
  const char* name;
  StoredType type;
};
constexpr DtypeName kDtypes[] = {{"F32", StoredType::f32}, {"F64", StoredType::f64}, {"F16", StoredType::f16},
                                 {"BF16", StoredType::bf16}, {"I32", StoredType::i32}, {"I64", StoredType::i64}};
// The rest of the format's dtypes: known, but not read.
constexpr const char* kOtherDtypes[] = {"BOOL", "U8", "I8", "U16", "I16", "U32", "U64", "F8_E4M3", "F8_E5M2"};

const char* dtype_name(StoredType type) {
  for (const auto& d : kDtypes)
    if (d.type == type) return d.name;
  return "?";
}

struct Slot {
  const std::string* name;
  std::uint64_t begin, end;
};

class HeaderReader {
 public:
  HeaderReader(const std::string& source, std::size_t buffer) : source_(source), buffer_(buffer) {}

  [[noreturn]] void fail(const std::string& problem) const { throw Error(source_ + ": " + problem); }

  std::uint64_t non_negative(const JsonValue& v, const std::string& what) const {
    if (v.kind != JsonValue::Kind::integer) fail(what + " is " + json_kind_name(v.kind) + ", not an integer");
    if (v.integer < 0) fail(what + " is negative (" + std::to_string(v.integer) + ")");
    return static_cast<std::uint64_t>(v.integer);
  }

  void metadata(const JsonValue& v, Safetensors& out) const {
    if (v.kind != JsonValue::Kind::object) fail("\"__metadata__\" is " + std::string(json_kind_name(v.kind)) + ", not an object");
    for (const auto& m : v.object) {
      if (m.value.kind != JsonValue::Kind::string)
        fail("\"__metadata__\" value of \"" + m.key + "\" is " + json_kind_name(m.value.kind) + ", not a string");
      out.metadata.emplace_back(m.key, m.value.string);
    }
  }

  // One tensor entry: its dtype and shape into t, its byte range returned.
  Slot tensor(const std::string& name, const JsonValue& v, NdArray& t) const {
    const std::string who = "tensor '" + name + "'";
    if (v.kind != JsonValue::Kind::object) fail(who + " is " + json_kind_name(v.kind) + ", not an object");
    const JsonValue *dtype = nullptr, *shape = nullptr, *offsets = nullptr;
    for (const auto& m : v.object) {
      if (m.key == "dtype") dtype = &m.value;
      else if (m.key == "shape") shape = &m.value;
      else if (m.key == "data_offsets") offsets = &m.value;
      else fail(who + " has an unexpected key \"" + m.key + "\" (dtype, shape and data_offsets are the format's)");
    }
    if (!dtype || !shape || !offsets) fail(who + " lacks " + (!dtype ? "dtype" : !shape ? "shape" : "data_offsets"));
    if (dtype->kind != JsonValue::Kind::string) fail(who + " has a dtype that is " + json_kind_name(dtype->kind) + ", not a string");
    const auto known = std::find_if(std::begin(kDtypes), std::end(kDtypes), [&](const DtypeName& d) { return dtype->string == d.name; });
    if (known != std::end(kDtypes)) {
      t.stored = known->type;
    } else {
      for (const char* other : kOtherDtypes)
        if (dtype->string == other)
          fail(who + ": dtype " + dtype->string + " is not supported (this firmnet reads F32, F64, F16, BF16, I32, I64)");
      fail(who + ": unknown dtype \"" + dtype->string.substr(0, 40) + "\"");
    }
    if (shape->kind != JsonValue::Kind::array) fail(who + " has a shape that is " + json_kind_name(shape->kind) + ", not an array");
    for (const auto& d : shape->array) {
      const std::uint64_t dim = non_negative(d, who + " shape dimension");
      if (dim > std::numeric_limits<std::size_t>::max()) fail(who + " has a dimension too large for this machine");
      t.shape.push_back(static_cast<std::size_t>(dim));
    }
    if (offsets->kind != JsonValue::Kind::array || offsets->array.size() != 2)
      fail(who + ": data_offsets must be an array [begin, end]");
    const std::uint64_t begin = non_negative(offsets->array[0], who + " data_offsets begin");
    const std::uint64_t end = non_negative(offsets->array[1], who + " data_offsets end");
    const std::string range = "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "]";
    if (end < begin) fail(who + ": " + range + " end before they begin");
    if (end > buffer_)
      fail(who + ": " + range + " run past the end of the " + std::to_string(buffer_) + "-byte buffer after the header");
    const std::size_t item = elements::size_of(t.stored);
    std::size_t n = 0;
    if (!elements::count(t.shape, std::numeric_limits<std::size_t>::max() / item, n))
      fail(who + ": shape " + shape_string(t.shape) + " is too large: its byte count overflows");
    if (n * item != end - begin)
      fail(who + ": " + range + " hold " + std::to_string(end - begin) + " bytes, but shape " + shape_string(t.shape) + " of " +
           dtype->string + " needs " + std::to_string(n * item));
    return {&name, begin, end};
  }

 private:
  const std::string& source_;
  std::size_t buffer_;
};

}  // namespace

const NdArray* Safetensors::find(const std::string& name) const noexcept {
  for (const auto& t : tensors)
    if (t.name == name) return &t.array;
  return nullptr;
}

const std::string* Safetensors::find_metadata(const std::string& key) const noexcept {
  for (const auto& [k, v] : metadata)
    if (k == key) return &v;
  return nullptr;
}

Safetensors decode_safetensors(std::span<const std::uint8_t> bytes, const std::string& source) {
  if (bytes.size() < 8) throw Error(source + ": too short to be a safetensors file (" + std::to_string(bytes.size()) + " bytes)");
  std::uint64_t header_len = 0;
  for (int i = 0; i < 8; ++i) header_len |= std::uint64_t(bytes[i]) << (8 * i);
  if (header_len > kMaxSafetensorsHeaderBytes)
    throw Error(source + ": safetensors header length " + std::to_string(header_len) + " exceeds the limit of " +
                std::to_string(kMaxSafetensorsHeaderBytes) + " bytes (is this a safetensors file?)");
  if (header_len > bytes.size() - 8)
    throw Error(source + ": truncated safetensors header: it says " + std::to_string(header_len) + " bytes, the file holds " +
                std::to_string(bytes.size() - 8));
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + 8), static_cast<std::size_t>(header_len));
  if (text.empty() || text[0] != '{') throw Error(source + ": the safetensors header does not start with '{'");
  const JsonValue header = parse_json(text, source + ": header");
  if (header.kind != JsonValue::Kind::object) throw Error(source + ": the safetensors header is not a JSON object");

  const std::size_t data_at = 8 + static_cast<std::size_t>(header_len);
  const std::size_t buffer = bytes.size() - data_at;
  HeaderReader reader(source, buffer);
  Safetensors out;
  std::vector<Slot> slots;
  for (const auto& m : header.object) {
    if (m.key == kMetadataKey) {
      reader.metadata(m.value, out);
      continue;
    }
    SafetensorsTensor t;
    t.name = m.key;
    slots.push_back(reader.tensor(m.key, m.value, t.array));
    out.tensors.push_back(std::move(t));
  }
  // The tensors tile the buffer: no overlap, no gap, nothing after the last.
  std::vector<Slot> sorted = slots;
  std::sort(sorted.begin(), sorted.end(), [](const Slot& a, const Slot& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  std::uint64_t at = 0;
  const std::string* before = nullptr;
  for (const auto& s : sorted) {
    if (s.begin < at) reader.fail("tensors '" + *before + "' and '" + *s.name + "' overlap in the buffer");
    if (s.begin > at)
      reader.fail(std::to_string(s.begin - at) + " bytes of the buffer before tensor '" + *s.name + "' belong to no tensor");
    at = s.end;
    before = s.name;
  }
  if (at != buffer) reader.fail(std::to_string(buffer - at) + " bytes at the end of the buffer belong to no tensor");
  for (std::size_t i = 0; i < out.tensors.size(); ++i) {
    NdArray& a = out.tensors[i].array;
    elements::load(a, bytes.data() + data_at + slots[i].begin, (slots[i].end - slots[i].begin) / elements::size_of(a.stored));
  }
  return out;
}

std::vector<std::uint8_t> encode_safetensors(const Safetensors& file) {
  JsonValue header;
  header.kind = JsonValue::Kind::object;
  if (!file.metadata.empty()) {
    JsonValue meta;
    meta.kind = JsonValue::Kind::object;
    std::set<std::string> keys;
    for (const auto& [k, v] : file.metadata) {
      if (!keys.insert(k).second) throw Error("encode_safetensors: metadata key '" + k + "' appears twice");
      JsonValue s;
      s.kind = JsonValue::Kind::string;
      s.string = v;
      meta.object.push_back({k, std::move(s)});
    }
    header.object.push_back({std::string(kMetadataKey), std::move(meta)});
  }
  auto integer = [](std::uint64_t v) {
    JsonValue j;
    j.kind = JsonValue::Kind::integer;
    j.integer = static_cast<std::int64_t>(v);
    return j;
  };
  std::set<std::string> names;
  std::uint64_t offset = 0;
  for (const auto& t : file.tensors) {
    if (t.name == kMetadataKey || !names.insert(t.name).second)
      throw Error("encode_safetensors: tensor name '" + t.name + "' appears twice or is reserved");
    std::size_t n = 0;
    if (!elements::count(t.array.shape, std::numeric_limits<std::size_t>::max() / 8, n))
      throw Error("encode_safetensors: tensor '" + t.name + "' of shape " + shape_string(t.array.shape) + " is too large");
    const std::size_t have = t.array.is_float() ? t.array.values.size() : t.array.ints.size();
    if (have != n)
      throw Error("encode_safetensors: tensor '" + t.name + "' of shape " + shape_string(t.array.shape) + " needs " +
                  std::to_string(n) + " elements, has " + std::to_string(have));
    JsonValue entry, shape, offsets, dtype;
    entry.kind = JsonValue::Kind::object;
    dtype.kind = JsonValue::Kind::string;
    dtype.string = dtype_name(t.array.is_float() ? StoredType::f32 : StoredType::i64);
    shape.kind = offsets.kind = JsonValue::Kind::array;
    for (const auto d : t.array.shape) shape.array.push_back(integer(d));
    const std::uint64_t size = std::uint64_t(n) * (t.array.is_float() ? 4 : 8);
    offsets.array = {integer(offset), integer(offset + size)};
    offset += size;
    entry.object.push_back({"dtype", std::move(dtype)});
    entry.object.push_back({"shape", std::move(shape)});
    entry.object.push_back({"data_offsets", std::move(offsets)});
    header.object.push_back({t.name, std::move(entry)});
  }
  std::string text = to_json(header);
  text.append((8 - text.size() % 8) % 8, ' ');
  std::vector<std::uint8_t> out(8 + text.size());
  for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(std::uint64_t(text.size()) >> (8 * i));
  std::memcpy(out.data() + 8, text.data(), text.size());
  for (const auto& t : file.tensors) elements::store(t.array, out);
  return out;
}

Safetensors read_safetensors(const std::string& path, std::size_t max_bytes) {
  return decode_safetensors(read_file_raw(path, max_bytes), path);
}

void write_safetensors(const std::string& path, const Safetensors& file) {
  const auto bytes = encode_safetensors(file);
  write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace firmnet::io
