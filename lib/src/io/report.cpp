// CSV and SVG renderings of a training history; see io/report.hpp.
#include "firmnet/io/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "firmnet/io/file.hpp"

namespace firmnet::io {

namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string escape_xml(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// "Nice" tick step for a range: 1, 2 or 5 times a power of ten, about `target` ticks.
double tick_step(double range, int target) {
  if (!(range > 0)) return 1;
  const double raw = range / target;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * p) return m * p;
  return 10 * p;
}

// One plot panel: maps data (x0..x1, y0..y1) into the pixel box (left, top, width, height).
struct Panel {
  double left, top, width, height;
  double x0, x1, y0, y1;
  double px(double x) const { return left + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * width; }
  double py(double y) const { return top + height - (y1 > y0 ? (y - y0) / (y1 - y0) : 0.5) * height; }

  std::string frame(const std::string& title, const std::string& xlabel, const std::string& ylabel,
                    const char* ytick_format) const {
    std::string s;
    s += "<rect x='" + fmt("%.1f", left) + "' y='" + fmt("%.1f", top) + "' width='" + fmt("%.1f", width) +
         "' height='" + fmt("%.1f", height) + "' fill='white' stroke='#444'/>\n";
    const double ystep = tick_step(y1 - y0, 5);
    for (double y = std::ceil(y0 / ystep) * ystep; y <= y1 + 1e-9; y += ystep) {
      s += "<line x1='" + fmt("%.1f", left) + "' x2='" + fmt("%.1f", left + width) + "' y1='" + fmt("%.1f", py(y)) +
           "' y2='" + fmt("%.1f", py(y)) + "' stroke='#ddd'/>\n";
      s += "<text x='" + fmt("%.1f", left - 6) + "' y='" + fmt("%.1f", py(y) + 4) + "' text-anchor='end'>" +
           fmt(ytick_format, y) + "</text>\n";
    }
    const double xstep = std::max(1.0, tick_step(x1 - x0, 8));
    for (double x = std::ceil(x0 / xstep) * xstep; x <= x1 + 1e-9; x += xstep)
      s += "<text x='" + fmt("%.1f", px(x)) + "' y='" + fmt("%.1f", top + height + 16) + "' text-anchor='middle'>" +
           fmt("%g", x) + "</text>\n";
    s += "<text x='" + fmt("%.1f", left + width / 2) + "' y='" + fmt("%.1f", top - 10) +
         "' text-anchor='middle' font-weight='bold'>" + escape_xml(title) + "</text>\n";
    s += "<text x='" + fmt("%.1f", left + width / 2) + "' y='" + fmt("%.1f", top + height + 34) +
         "' text-anchor='middle'>" + escape_xml(xlabel) + "</text>\n";
    s += "<text transform='translate(" + fmt("%.1f", left - 48) + "," + fmt("%.1f", top + height / 2) +
         ") rotate(-90)' text-anchor='middle'>" + escape_xml(ylabel) + "</text>\n";
    return s;
  }
};

}  // namespace

std::string history_csv(const TrainingHistory& h) {
  std::string out = "iteration,epoch,loss,train_acc,val_acc\n";
  const std::size_t per_epoch = std::max<std::size_t>(1, h.iterations_per_epoch);
  for (std::size_t i = 0; i < h.loss.size(); ++i) {
    const std::size_t epoch = i / per_epoch + 1;
    out += std::to_string(i) + "," + std::to_string(epoch) + "," + fmt("%.9g", h.loss[i]) + ",";
    const bool last_of_epoch = (i + 1) % per_epoch == 0;
    if (last_of_epoch && epoch <= h.epochs.size()) {
      out += fmt("%.6f", h.epochs[epoch - 1].train_accuracy) + "," + fmt("%.6f", h.epochs[epoch - 1].val_accuracy);
    } else {
      out += ",";
    }
    out += "\n";
  }
  return out;
}

std::string history_svg(const TrainingHistory& h) {
  const double width = 900, height = 720;
  std::string s = "<?xml version='1.0' encoding='UTF-8'?>\n<svg xmlns='http://www.w3.org/2000/svg' width='" +
                  fmt("%.0f", width) + "' height='" + fmt("%.0f", height) + "' viewBox='0 0 " + fmt("%.0f", width) +
                  " " + fmt("%.0f", height) + "' font-family='sans-serif' font-size='12'>\n";
  s += "<rect width='100%' height='100%' fill='#fafafa'/>\n";
  // A long title (a CNN's spec) goes on two lines, split at the space nearest its middle, in a
  // font small enough for the longer line (a sans-serif glyph is at most about 0.6 em wide), so
  // it is not cut off at both ends.
  const auto title_line = [&](const std::string& text, double y, double size) {
    s += "<text x='" + fmt("%.0f", width / 2) + "' y='" + fmt("%.0f", y) + "' text-anchor='middle' font-size='" +
         fmt("%.1f", size) + "'>" + escape_xml(text) + "</text>\n";
  };
  const auto fitting = [&](std::size_t chars) { return std::min(15.0, (width - 20) / (0.6 * double(std::max<std::size_t>(chars, 1)))); };
  const std::size_t middle = h.title.size() / 2, before = h.title.rfind(' ', middle), after = h.title.find(' ', middle);
  if (fitting(h.title.size()) >= 15.0 || (before == std::string::npos && after == std::string::npos)) {
    title_line(h.title, 22, fitting(h.title.size()));
  } else {
    const std::size_t cut = before == std::string::npos ? after
                            : after == std::string::npos ? before
                            : (middle - before <= after - middle ? before : after);
    const std::string first = h.title.substr(0, cut), second = h.title.substr(cut + 1);
    const double size = fitting(std::max(first.size(), second.size()));
    title_line(first, 18, size);
    title_line(second, 19 + size, size);
  }

  // Loss panel: one dot per iteration (as the assignment's plt.plot(loss_history, 'o')).
  double lmin = 0, lmax = 1;
  bool any = false;
  for (const double l : h.loss) {
    if (!std::isfinite(l)) continue;
    lmin = any ? std::min(lmin, l) : l;
    lmax = any ? std::max(lmax, l) : l;
    any = true;
  }
  if (!any || lmax <= lmin) lmax = lmin + 1;
  const double lpad = 0.05 * (lmax - lmin);
  Panel loss{80, 60, width - 120, 260, 0, double(std::max<std::size_t>(1, h.loss.size())), std::max(0.0, lmin - lpad),
             lmax + lpad};
  s += loss.frame("Training loss", "Iteration", "Loss", "%.2f");
  // Thin the dots to at most ~4000 so the file stays small; keep every point for short runs.
  const std::size_t stride = std::max<std::size_t>(1, h.loss.size() / 4000);
  s += "<g fill='#1f77b4' fill-opacity='0.45'>\n";
  for (std::size_t i = 0; i < h.loss.size(); i += stride)
    if (std::isfinite(h.loss[i]))
      s += "<circle cx='" + fmt("%.1f", loss.px(double(i))) + "' cy='" + fmt("%.1f", loss.py(h.loss[i])) + "' r='1.6'/>\n";
  s += "</g>\n";

  // Accuracy panel: train and val per epoch, lines with markers and a legend.
  double amin = 1, amax = 0;
  for (const auto& e : h.epochs) {
    amin = std::min({amin, e.train_accuracy, e.val_accuracy});
    amax = std::max({amax, e.train_accuracy, e.val_accuracy});
  }
  if (h.epochs.empty()) amin = 0, amax = 1;
  amin = std::max(0.0, std::floor(amin * 20 - 1) / 20);
  amax = std::min(1.0, std::ceil(amax * 20 + 1) / 20);
  if (amax <= amin) amax = amin + 0.05;
  Panel acc{80, 410, width - 120, 240, 0.5, double(std::max<std::size_t>(1, h.epochs.size())) + 0.5, amin * 100,
            amax * 100};
  s += acc.frame("Classification accuracy", "Epoch", "Accuracy (%)", "%.0f");
  const struct {
    const char* name;
    const char* color;
    bool train;
  } series[] = {{"train", "#1f77b4", true}, {"val", "#ff7f0e", false}};
  for (const auto& line : series) {
    std::string points;
    for (const auto& e : h.epochs)
      points += fmt("%.1f", acc.px(double(e.epoch))) + "," +
                fmt("%.1f", acc.py(100 * (line.train ? e.train_accuracy : e.val_accuracy))) + " ";
    s += std::string("<polyline fill='none' stroke='") + line.color + "' stroke-width='2' points='" + points + "'/>\n";
    for (const auto& e : h.epochs)
      s += "<circle cx='" + fmt("%.1f", acc.px(double(e.epoch))) + "' cy='" +
           fmt("%.1f", acc.py(100 * (line.train ? e.train_accuracy : e.val_accuracy))) + "' r='3.5' fill='" +
           line.color + "'><title>" + line.name + " epoch " + std::to_string(e.epoch) + ": " +
           fmt("%.2f", 100 * (line.train ? e.train_accuracy : e.val_accuracy)) + "%</title></circle>\n";
  }
  const double lx = acc.left + acc.width - 90, ly = acc.top + acc.height - 46;
  s += "<rect x='" + fmt("%.1f", lx - 8) + "' y='" + fmt("%.1f", ly - 14) + "' width='90' height='44' fill='white' stroke='#aaa'/>\n";
  for (int i = 0; i < 2; ++i) {
    const double y = ly + 20 * i;
    s += std::string("<line x1='") + fmt("%.1f", lx) + "' x2='" + fmt("%.1f", lx + 22) + "' y1='" + fmt("%.1f", y - 4) +
         "' y2='" + fmt("%.1f", y - 4) + "' stroke='" + series[i].color + "' stroke-width='2'/>\n";
    s += "<text x='" + fmt("%.1f", lx + 28) + "' y='" + fmt("%.1f", y) + "'>" + series[i].name + "</text>\n";
  }
  s += "</svg>\n";
  return s;
}

void write_history_csv(const std::string& path, const TrainingHistory& history) {
  const std::string text = history_csv(history);
  write_file_atomic(path, text.data(), text.size());
}

void write_history_svg(const std::string& path, const TrainingHistory& history) {
  const std::string text = history_svg(history);
  write_file_atomic(path, text.data(), text.size());
}

}  // namespace firmnet::io
