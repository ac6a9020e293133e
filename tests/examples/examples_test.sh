#!/usr/bin/env bash
# End-to-end tests of the example programs on small generated datasets.
# Usage: examples_test.sh BIN_DIR DATA_TOOL CASE [KILL_TOOL]   (ctest runs one CASE per test)
set -uo pipefail
bin=$1 make_data=$2 case=$3 kill_tool=${4:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$make_data" "$work/data" || { echo "make_test_data failed"; exit 1; }
fm=(--data-dir "$work/data/fashion-mnist" --num-val 100)
out=(--plot-file "$work/plot.svg" --checkpoint-file "$work/ckpt.fnck")

fail() { echo "FAIL: $*"; exit 1; }
# expect STATUS PATTERN CMD...: runs CMD, requires its exit status and a line matching PATTERN.
expect() {
  local want=$1 pattern=$2; shift 2
  local log status
  log=$("$@" 2>&1); status=$?
  echo "$ $* -> exit $status"; echo "$log" | tail -n 4
  [ "$status" -eq "$want" ] || fail "exit status $status, expected $want"
  grep -qE -- "$pattern" <<<"$log" || fail "output does not match /$pattern/"
}
# set_metadata IN OUT KEY VALUE [NEW_KEY]: a copy of checkpoint IN with metadata KEY set to VALUE
# (and renamed NEW_KEY, so KEY is gone) and a valid CRC (docs/checkpoint-format.md: strings are
# u32 length + bytes, the CRC-32 of all before it last).
set_metadata() {
  /usr/bin/python3 - "$@" <<'PY'
import struct, sys, zlib
src, dst, key, value = sys.argv[1:5]
new_key = sys.argv[5] if len(sys.argv) > 5 else key
data = open(src, "rb").read()[:-4]
def entry(k, v):
    k, v = k.encode(), v.encode()
    return struct.pack("<I", len(k)) + k + struct.pack("<I", len(v)) + v
k = key.encode()
at = data.index(struct.pack("<I", len(k)) + k)
vlen = struct.unpack_from("<I", data, at + 4 + len(k))[0]
old_end = at + 8 + len(k) + vlen
data = data[:at] + entry(new_key, value) + data[old_end:]
open(dst, "wb").write(data + struct.pack("<I", zlib.crc32(data)))
PY
}
train_small() { "$bin/train" "${fm[@]}" "${out[@]}" --epochs 2 --batch-size 32 "$@"; }

case $case in
train_log)
  log=$(train_small --weight-scale 0.05) || fail "train failed: $log"
  echo "$log" | head -n 12
  for pattern in '^Starting epoch 1 / 2$' '^Iteration 0 / 15, loss = [0-9]+\.[0-9]{6}$' '^Checking accuracy$' \
                 '^Train: [0-9]+\.[0-9]{2}$' '^Val: [0-9]+\.[0-9]{2}$' 'Epoch 2 / 2: .* images/s.*elapsed' \
                 '^Done: 2 epochs'; do
    grep -qE "$pattern" <<<"$log" || fail "log lacks /$pattern/"
  done
  [ "$(grep -c '^Iteration ' <<<"$log")" -eq 2 ] || fail "expected one Iteration line per epoch (print-every 25, 15 iterations)"
  grep -q '</svg>' "$work/plot.svg" || fail "plot is not a complete SVG"
  [ "$(wc -l < "$work/plot.csv")" -eq 31 ] || fail "CSV should have a header and 30 iteration rows"
  val=$(grep -E '^Val: ' <<<"$log" | tail -n 1 | cut -d' ' -f2)
  awk -v v="$val" 'BEGIN { exit !(v > 80) }' || fail "the learnable toy data should reach > 80% val, got $val"
  ;;
evaluate)
  # The assignment's initialisation (weight scale 1e-3) starts at ln(10) = 2.3026.
  expect 0 '^Iteration 0 / 15, loss = 2\.302[0-9]+$' train_small
  expect 0 '^Test: [0-9]+\.[0-9]{2}$' "$bin/evaluate" --checkpoint-file "$work/ckpt.fnck" --data-dir "$work/data/fashion-mnist"
  expect 0 'confusion matrix' "$bin/evaluate" --checkpoint-file "$work/ckpt.fnck" --data-dir "$work/data/fashion-mnist"
  ;;
linear_and_cifar10)
  expect 0 '^Done: 1 epochs' "$bin/train" "${fm[@]}" "${out[@]}" --epochs 1 --model linear
  expect 0 '^Test: ' "$bin/evaluate" --checkpoint-file "$work/ckpt.fnck" --data-dir "$work/data/fashion-mnist"
  expect 0 'two-layer = in:3072\|fc:64\+relu\|fc:10 on cifar10: 250 train, 50 val, 60 test' "$bin/train" --dataset cifar10 \
    --data-dir "$work/data/cifar10" --num-val 50 --hidden 64 --epochs 1 --batch-size 16 "${out[@]}"
  expect 0 '^Test: ' "$bin/evaluate" --checkpoint-file "$work/ckpt.fnck" --data-dir "$work/data/cifar10"
  expect 1 'the network in:3072\|fc:64\+relu\|fc:10 does not take fashion-mnist images' "$bin/evaluate" --checkpoint-file "$work/ckpt.fnck" --dataset fashion-mnist \
    --data-dir "$work/data/fashion-mnist"
  ;;
same_seed_same_bits)
  train_small --seed 7 > "$work/a.log" || fail "train failed"; cp "$work/ckpt.fnck" "$work/a.fnck"
  train_small --seed 7 > "$work/b.log" || fail "train failed"
  cmp "$work/a.fnck" "$work/ckpt.fnck" || fail "same seed, different checkpoint bits"
  diff <(grep -E '^(Iteration|Train|Val)' "$work/a.log") <(grep -E '^(Iteration|Train|Val)' "$work/b.log") ||
    fail "same seed, different log"
  train_small --seed 8 >/dev/null || fail "train failed"
  ! cmp -s "$work/a.fnck" "$work/ckpt.fnck" || fail "another seed gave the same checkpoint"
  ;;
bad_flags)
  expect 2 '--lr: .-1. is out of range: must be > 0' train_small --lr -1
  expect 2 '--lr: .abc. is not a number' train_small --lr abc
  expect 2 '--hidden: 100 is not a compiled size \(64, 128, 256, 512, 1024\)' train_small --hidden 100
  expect 2 "--dataset: 'mnist' is not supported" train_small --dataset mnist
  expect 2 '--epochs: .ten. is not a non-negative whole number' "$bin/train" "${fm[@]}" --epochs ten
  expect 2 '--batch-size: 0 is out of range' "$bin/train" "${fm[@]}" --batch-size 0
  expect 2 'unknown flag --learning-rate' train_small --learning-rate 0.1
  expect 2 '--num-val: .-5. is negative' "$bin/train" --num-val -5
  expect 2 '--checkpoint-file is required' "$bin/evaluate"
  expect 0 '--print-every' "$bin/train" --help
  expect 1 '--num-train 1000 is more than the 500 training images' train_small --num-train 1000
  ;;
bad_data)
  expect 1 "$work/nowhere: no train-images-idx3-ubyte.gz" "$bin/train" --data-dir "$work/nowhere" "${out[@]}"
  d="$work/data/fashion-mnist"
  cp "$d/t10k-images-idx3-ubyte.gz" "$work/keep.gz"
  gzip -dc "$work/keep.gz" | head -c 5000 | gzip > "$d/t10k-images-idx3-ubyte.gz"
  expect 1 't10k-images-idx3-ubyte.gz: truncated: header says 100 images of 28x28' train_small
  cp "$work/keep.gz" "$d/t10k-images-idx3-ubyte.gz"
  gzip -dc "$d/train-labels-idx1-ubyte.gz" > "$work/labels"
  printf '\x0b' | dd of="$work/labels" bs=1 seek=20 conv=notrunc status=none   # label 11 at index 12
  gzip -c "$work/labels" > "$d/train-labels-idx1-ubyte.gz"
  expect 1 'train-labels-idx1-ubyte.gz: label 11 at index 12 is out of range' train_small
  ;;
bad_checkpoint)
  train_small >/dev/null || fail "train failed"
  ev=("$bin/evaluate" --data-dir "$work/data/fashion-mnist")
  expect 1 'missing.fnck: cannot open' "${ev[@]}" --checkpoint-file "$work/missing.fnck"
  cp "$work/ckpt.fnck" "$work/flip.fnck"
  printf '\x55' | dd of="$work/flip.fnck" bs=1 seek=5000 conv=notrunc status=none
  expect 1 'flip.fnck: checkpoint checksum mismatch' "${ev[@]}" --checkpoint-file "$work/flip.fnck"
  head -c 3000 "$work/ckpt.fnck" > "$work/cut.fnck"
  expect 1 'cut.fnck: checkpoint checksum mismatch' "${ev[@]}" --checkpoint-file "$work/cut.fnck"
  expect 1 'plot.svg: not a firmnet checkpoint' "${ev[@]}" --checkpoint-file "$work/plot.svg"
  # A checkpoint without its split (as one's own program may write with io::make_checkpoint):
  # evaluate and quantize say which entries they need, not that it "cannot be resumed".
  set_metadata "$work/ckpt.fnck" "$work/nosplit.fnck" num_train 0 unread_key || fail "could not edit the checkpoint"
  expect 1 "nosplit.fnck: checkpoint has no 'num_train': the split it was trained with \(num_train, num_val" \
    "${ev[@]}" --checkpoint-file "$work/nosplit.fnck"
  expect 1 "nosplit.fnck: checkpoint has no 'num_train': the split" "$bin/quantize" --checkpoint-file "$work/nosplit.fnck" \
    --data-dir "$work/data/fashion-mnist" --output-file "$work/nosplit.fnq"
  "$bin/train" "${fm[@]}" --epochs 1 --hidden 100000 --plot-file "$work/p2.svg" --checkpoint-file "$work/x.fnck" \
    >/dev/null 2>&1 && fail "an unsupported hidden size was accepted"
  ;;
nan_loss)
  expect 1 'the loss became (nan|inf|-nan).*try a smaller --lr' train_small --lr 1e6 --weight-scale 5
  ;;
resume)
  # Stopped after 2 epochs and resumed to 5 = 5 uninterrupted epochs, byte for byte (momentum and
  # learning-rate decay included: their state is in the checkpoint).
  run=("$bin/train" "${fm[@]}" --batch-size 32 --momentum 0.9 --lr-decay 0.9 --weight-scale 0.05 --seed 3)
  "${run[@]}" --epochs 5 --checkpoint-file "$work/a.fnck" --plot-file "$work/a.svg" >/dev/null || fail "train failed"
  "${run[@]}" --epochs 2 --checkpoint-file "$work/b.fnck" --plot-file "$work/b.svg" >/dev/null || fail "train failed"
  expect 0 'Resuming from .*b.fnck after epoch 2 of 5' "$bin/train" --resume --epochs 5 --checkpoint-file "$work/b.fnck" \
    --plot-file "$work/b.svg" --data-dir "$work/data/fashion-mnist"
  cmp "$work/a.fnck" "$work/b.fnck" || fail "the resumed run's checkpoint differs from the uninterrupted run's"
  cmp "$work/a.csv" "$work/b.csv" || fail "the resumed run's history differs"
  expect 2 '--lr cannot be given with --resume' "$bin/train" --resume --lr 0.5 --checkpoint-file "$work/b.fnck" \
    --data-dir "$work/data/fashion-mnist"
  expect 2 '--epochs 3 is fewer than the 5 epochs' "$bin/train" --resume --epochs 3 --checkpoint-file "$work/b.fnck" \
    --data-dir "$work/data/fashion-mnist"
  expect 1 'missing.fnck: cannot open' "$bin/train" --resume --checkpoint-file "$work/missing.fnck" --data-dir "$work/data/fashion-mnist"
  # A checkpoint whose settings were edited (CRC made valid again) is refused, naming the entry:
  # never a batch of 0, an unknown loss silently run as the default, or a flag read as false.
  for edit in batch_size=0 batch_size=257 loss=hinge optimizer=rmsprop nesterov=yes keep_last_batch=2 \
              init=xavier seed=18446744073709551616 lr_bits=7ff8000000000000 lr_decay_bits=4000000000000000; do
    set_metadata "$work/b.fnck" "$work/edited.fnck" "${edit%%=*}" "${edit#*=}" || fail "could not edit the checkpoint"
    expect 1 "edited.fnck: checkpoint entry '${edit%%=*}' = .* (is not|not 0 or 1)" "$bin/train" --resume --epochs 6 \
      --checkpoint-file "$work/edited.fnck" --plot-file "$work/e.svg" --data-dir "$work/data/fashion-mnist"
  done
  set_metadata "$work/b.fnck" "$work/m0.fnck" momentum_bits 0000000000000000 &&
    set_metadata "$work/m0.fnck" "$work/edited.fnck" nesterov 1 || fail "could not edit the checkpoint"
  expect 1 "edited.fnck: checkpoint entry 'nesterov' = '1' is not possible" "$bin/train" --resume --epochs 6 \
    --checkpoint-file "$work/edited.fnck" --plot-file "$work/e.svg" --data-dir "$work/data/fashion-mnist"
  # A network for other images than the dataset's: named before any data is read, never a crash.
  set_metadata "$work/b.fnck" "$work/edited.fnck" dataset cifar10 || fail "could not edit the checkpoint"
  expect 1 "edited.fnck: the network in:784.* does not take cifar10 images \(3072 values, 32x32x3\)" "$bin/train" --resume \
    --epochs 6 --checkpoint-file "$work/edited.fnck" --plot-file "$work/e.svg" --data-dir "$work/data/cifar10"
  expect 2 "--model: the network in:3072\|fc:64\+relu\|fc:10 does not take fashion-mnist images" train_small \
    --model 'in:3072|fc:64+relu|fc:10'
  # A 20-digit seed resumes.
  set_metadata "$work/b.fnck" "$work/edited.fnck" seed 18446744073709551615 || fail "could not edit the checkpoint"
  expect 0 'Resuming from' "$bin/train" --resume --epochs 6 --checkpoint-file "$work/edited.fnck" --plot-file "$work/e.svg" \
    --data-dir "$work/data/fashion-mnist"
  ;;
other_data)
  # A checkpoint knows the data it was trained on: resuming, evaluating or quantizing it on other
  # data of the same shape (inverted images; a folder with more images, so another split) stops
  # with an error naming the flag, unless told to go on, which then says so loudly.
  "$make_data" "$work/inverted" inverted || fail "make_test_data failed"
  "$make_data" "$work/larger" larger || fail "make_test_data failed"
  train_small >/dev/null || fail "train failed"
  cp "$work/ckpt.fnck" "$work/orig.fnck"
  inv=(--data-dir "$work/inverted/fashion-mnist")
  for dir in inverted larger; do
    expect 1 "was trained on other data than --data-dir .*$dir/fashion-mnist.*--allow-other-data" \
      "$bin/evaluate" --checkpoint-file "$work/ckpt.fnck" --data-dir "$work/$dir/fashion-mnist"
  done
  expect 1 'train split: 500 images with CRC [0-9a-f]{8} then, 600 images with CRC [0-9a-f]{8} now' \
    "$bin/evaluate" --checkpoint-file "$work/ckpt.fnck" --data-dir "$work/larger/fashion-mnist"
  expect 0 'WARNING: .*trained on other data' "$bin/evaluate" --checkpoint-file "$work/ckpt.fnck" "${inv[@]}" --allow-other-data
  expect 1 'was trained on other data .*--allow-other-data' "$bin/quantize" --checkpoint-file "$work/ckpt.fnck" "${inv[@]}" \
    --output-file "$work/m.fnq" --header-file "$work/m.hpp"
  expect 1 'was trained on other data than --data-dir .*inverted.*--continue-on-new-data' \
    "$bin/train" --resume --epochs 3 --checkpoint-file "$work/ckpt.fnck" --plot-file "$work/plot.svg" "${inv[@]}"
  cmp "$work/orig.fnck" "$work/ckpt.fnck" || fail "a refused resume changed the checkpoint"
  expect 0 'warning: continuing on other data' "$bin/train" --resume --epochs 3 --continue-on-new-data \
    --checkpoint-file "$work/ckpt.fnck" --plot-file "$work/plot.svg" "${inv[@]}"
  # Now it was trained on the inverted data too: evaluating there is fine, and the switch is on record.
  expect 0 '^Test: ' "$bin/evaluate" --checkpoint-file "$work/ckpt.fnck" "${inv[@]}"
  grep -a -q 'data_changes' "$work/ckpt.fnck" || fail "the checkpoint does not record the change of data"
  expect 2 '--continue-on-new-data only goes with --resume' train_small --continue-on-new-data
  ;;
small_split)
  # Fewer training images than a batch: an error that says what to do, never 0 silent steps.
  expect 2 '--batch-size 32 is more than the 20 training images \(--num-train\).*--keep-last-batch' \
    train_small --num-train 20
  expect 0 '^Iteration 0 / 1, loss' train_small --num-train 20 --keep-last-batch
  ;;
output_paths)
  # Output paths are checked before any training, not after the first epoch.
  t=("$bin/train" "${fm[@]}" --epochs 1)
  expect 2 "--checkpoint-file '$work/nowhere/c.fnck': the directory '$work/nowhere' does not exist" \
    "${t[@]}" --plot-file "$work/p.svg" --checkpoint-file "$work/nowhere/c.fnck"
  expect 2 "--checkpoint-file '.': is a directory" "${t[@]}" --plot-file "$work/p.svg" --checkpoint-file .
  expect 2 "--plot-file '$work/nowhere/p.svg': the directory" "${t[@]}" --plot-file "$work/nowhere/p.svg" \
    --checkpoint-file "$work/c.fnck"
  expect 2 "--csv-file '$work': is a directory" "${t[@]}" --plot-file "$work/p.svg" --csv-file "$work" \
    --checkpoint-file "$work/c.fnck"
  log=$("${t[@]}" --plot-file "$work/p.svg" --checkpoint-file "$work/nowhere/c.fnck" 2>&1)
  grep -q 'Starting epoch' <<<"$log" && fail "training started before the output path was checked"
  train_small >/dev/null || fail "train failed"
  expect 2 "--header-file '$work/nowhere/m.hpp': the directory" "$bin/quantize" --checkpoint-file "$work/ckpt.fnck" \
    --data-dir "$work/data/fashion-mnist" --header-file "$work/nowhere/m.hpp"
  ;;
firmware_headers)
  # Every header quantize writes compiles into firmware_infer and runs: the two-layer net, the
  # linear classifier, and a header without test vectors. FIRMNET_FIRMWARE_CXX is the compile
  # command CMake passes (compiler, flags, include dirs, the firmware sources, the kernels library).
  [ -n "${FIRMNET_FIRMWARE_CXX:-}" ] || fail "FIRMNET_FIRMWARE_CXX is not set"
  read -r -a cxx <<<"$FIRMNET_FIRMWARE_CXX"
  build_and_run() {  # build_and_run HEADER PATTERN
    "${cxx[@]}" -DFIRMNET_FIRMWARE_MODEL_HEADER="\"$1\"" -o "$work/infer" || fail "firmware_infer does not compile with $1"
    expect 0 "$2" "$work/infer"
  }
  q=("$bin/quantize" --data-dir "$work/data/fashion-mnist" --calibration-images 100)
  train_small --weight-scale 0.05 >/dev/null || fail "train failed"
  expect 0 '16 test vectors' "${q[@]}" --checkpoint-file "$work/ckpt.fnck" --output-file "$work/t.fnq" --header-file "$work/two.hpp"
  build_and_run "$work/two.hpp" '^PASS: 16 of 16 images'
  "$bin/train" "${fm[@]}" --epochs 1 --model linear --plot-file "$work/l.svg" --checkpoint-file "$work/lin.fnck" >/dev/null ||
    fail "train failed"
  expect 0 'test vectors' "${q[@]}" --checkpoint-file "$work/lin.fnck" --output-file "$work/l.fnq" --header-file "$work/lin.hpp" \
    --test-vectors 5 --header-namespace my_models::linear_v1
  sed -i 's/namespace my_models::linear_v1/namespace firmnet_model/' "$work/lin.hpp"  # firmware_infer reads firmnet_model
  build_and_run "$work/lin.hpp" '^PASS: 5 of 5 images'
  expect 0 '0 test vectors' "${q[@]}" --checkpoint-file "$work/lin.fnck" --output-file "$work/l0.fnq" --header-file "$work/none.hpp" \
    --test-vectors 0
  build_and_run "$work/none.hpp" 'no test vectors to compare'
  "$bin/train" "${fm[@]}" --epochs 1 --model cnn:small --batch-size 32 --plot-file "$work/c.svg" --checkpoint-file "$work/cnn.fnck" \
    >/dev/null || fail "train failed"
  expect 0 '16 test vectors' "${q[@]}" --checkpoint-file "$work/cnn.fnck" --output-file "$work/c.fnq" --header-file "$work/cnn.hpp"
  build_and_run "$work/cnn.hpp" '^PASS: 16 of 16 images'
  ;;
models)
  # Networks by name or spec, what is compiled in, and what to do about what is not.
  expect 0 'in:784\|fc:256\+relu\|fc:128\+relu\|fc:10' "$bin/train" --list-models
  expect 0 'model_zoo.hpp' "$bin/train" --list-models
  one_epoch=("$bin/train" "${fm[@]}" "${out[@]}" --epochs 1 --batch-size 32)
  expect 0 '^Done: 1 epochs' "${one_epoch[@]}" --model mlp:256,128 --optimizer adam
  expect 0 '^Test: ' "$bin/evaluate" --checkpoint-file "$work/ckpt.fnck" --data-dir "$work/data/fashion-mnist"
  expect 0 '^int8 test accuracy' "$bin/quantize" --checkpoint-file "$work/ckpt.fnck" --data-dir "$work/data/fashion-mnist" \
    --calibration-images 100 --output-file "$work/m.fnq" --header-file "$work/m.hpp"
  grep -q 'QFc<firmnet::Shape<1, 1, 256>, 128>' "$work/m.hpp" || fail "the header lacks the second hidden layer"
  expect 0 'PASSED' "$bin/gradcheck" --model mlp:512,256,128,64
  expect 0 '^Done: 1 epochs' "${one_epoch[@]}" --model 'in:784|fc:128+relu|fc:64+relu|fc:10'
  expect 2 "--model mlp:300,100: the network in:784\|fc:300\+relu\|fc:100\+relu\|fc:10 is not compiled into these programs; add its Stack<...> to examples/common/model_zoo.hpp" \
    train_small --model mlp:300,100
  expect 2 'mlp:1,2,3,4,5. has 5 hidden layers; mlp: takes 1 to 4' train_small --model mlp:1,2,3,4,5
  expect 2 "--model: 'mlp:12,,4': the hidden widths must be positive whole numbers" train_small --model mlp:12,,4
  expect 2 "--model: 'resnet' is not a model name" train_small --model resnet
  expect 2 'is not compiled into these programs' "$bin/gradcheck" --model mlp:300,100
  ;;
cnn)
  # A CNN end to end on both datasets: train (the recipe's defaults), evaluate, quantize; the same
  # bits with 1 and 2 threads; resumed = uninterrupted.
  cnn=("$bin/train" "${fm[@]}" --model cnn:small --batch-size 32 --seed 3)
  expect 0 'cnn:small = in:28x28x1\|conv:16:3x3:p1\+relu' "${cnn[@]}" --epochs 2 --checkpoint-file "$work/a.fnck" \
    --plot-file "$work/a.svg" --threads 1
  expect 0 '^Test: ' "$bin/evaluate" --checkpoint-file "$work/a.fnck" --data-dir "$work/data/fashion-mnist"
  expect 0 '^int8 test accuracy' "$bin/quantize" --checkpoint-file "$work/a.fnck" --data-dir "$work/data/fashion-mnist" \
    --calibration-images 100 --output-file "$work/c.fnq" --header-file "$work/c.hpp"
  grep -q 'QConvPool<firmnet::quant::QConv2d<firmnet::Shape<28, 28, 1>, 16, 3, 3, 1, 1>, 2>' "$work/c.hpp" ||
    fail "the header lacks the fused first convolution"
  "${cnn[@]}" --epochs 2 --checkpoint-file "$work/b.fnck" --plot-file "$work/b.svg" --threads 2 >/dev/null || fail "train failed"
  cmp "$work/a.fnck" "$work/b.fnck" || fail "2 threads give other bits than 1"
  grep -q 'adam lr 0.001 x0.85 per epoch, batch 32' "$work/a.svg" || fail "the plot's title lacks the recipe's learning-rate decay"
  "${cnn[@]}" --epochs 1 --checkpoint-file "$work/r.fnck" --plot-file "$work/r.svg" >/dev/null || fail "train failed"
  expect 0 'Resuming from .*r.fnck after epoch 1 of 2' "$bin/train" --resume --epochs 2 --checkpoint-file "$work/r.fnck" \
    --plot-file "$work/r.svg" --data-dir "$work/data/fashion-mnist"
  cmp "$work/a.fnck" "$work/r.fnck" || fail "the resumed CNN run differs from the uninterrupted one"
  expect 0 'cnn = in:32x32x3\|conv:32:3x3:p1\+relu.* on cifar10' "$bin/train" --dataset cifar10 --data-dir "$work/data/cifar10" \
    --num-val 50 --model cnn --epochs 1 --batch-size 16 "${out[@]}"
  expect 0 '^Test: ' "$bin/evaluate" --checkpoint-file "$work/ckpt.fnck" --data-dir "$work/data/cifar10"
  ;;
augment)
  # --flip and --shift: the same bits with 1 and 2 threads, resumed = uninterrupted (the draws
  # come from the checkpointed sampler state), other bits than an unaugmented run; bad values named.
  aug=("$bin/train" "${fm[@]}" --model cnn:small --batch-size 32 --seed 4)
  expect 0 'augmented: flip, shift 2 px' "${aug[@]}" --flip --shift 2 --epochs 2 --checkpoint-file "$work/a.fnck" \
    --plot-file "$work/a.svg" --threads 1
  "${aug[@]}" --flip --shift 2 --epochs 2 --checkpoint-file "$work/b.fnck" --plot-file "$work/b.svg" --threads 2 >/dev/null ||
    fail "train failed"
  cmp "$work/a.fnck" "$work/b.fnck" || fail "augmented: 2 threads give other bits than 1"
  "${aug[@]}" --flip --shift 2 --epochs 1 --checkpoint-file "$work/r.fnck" --plot-file "$work/r.svg" >/dev/null ||
    fail "train failed"
  expect 0 'Resuming from .*r.fnck after epoch 1 of 2' "$bin/train" --resume --epochs 2 --checkpoint-file "$work/r.fnck" \
    --plot-file "$work/r.svg" --data-dir "$work/data/fashion-mnist"
  cmp "$work/a.fnck" "$work/r.fnck" || fail "the resumed augmented run differs from the uninterrupted one"
  "${aug[@]}" --epochs 2 --checkpoint-file "$work/p.fnck" --plot-file "$work/p.svg" >/dev/null || fail "train failed"
  cmp -s "$work/a.fnck" "$work/p.fnck" && fail "--flip --shift 2 trained the same bits as no augmentation"
  "${aug[@]}" --shift 1 --epochs 1 --checkpoint-file "$work/s.fnck" --plot-file "$work/s.svg" >/dev/null || fail "train failed"
  expect 0 '^Test: ' "$bin/evaluate" --checkpoint-file "$work/s.fnck" --data-dir "$work/data/fashion-mnist"
  expect 2 '--shift: 9 is out of range \[0, 8\]' train_small --shift 9
  expect 2 '--flip cannot be given with --resume' "$bin/train" --resume --flip --checkpoint-file "$work/r.fnck" \
    --data-dir "$work/data/fashion-mnist"
  set_metadata "$work/r.fnck" "$work/edited.fnck" shift 99
  expect 1 "edited.fnck: checkpoint entry 'shift' = '99' is not from 0 to 8" "$bin/train" --resume --epochs 3 \
    --checkpoint-file "$work/edited.fnck" --plot-file "$work/e.svg" --data-dir "$work/data/fashion-mnist"
  set_metadata "$work/r.fnck" "$work/edited.fnck" flip yes
  expect 1 "edited.fnck: checkpoint entry 'flip' = 'yes' is not 0 or 1" "$bin/train" --resume --epochs 3 \
    --checkpoint-file "$work/edited.fnck" --plot-file "$work/e.svg" --data-dir "$work/data/fashion-mnist"
  ;;
optimizers)
  # Adam, AdamW and SGD with Nesterov momentum, each with a learning-rate decay: stopped after 2
  # epochs and resumed to 4 = 4 uninterrupted epochs, byte for byte (all optimizer state is saved).
  for opt in "--optimizer adam --lr 0.003" "--optimizer adamw --lr 0.003 --reg 0.01" "--momentum 0.9 --nesterov"; do
    read -r -a flags <<<"$opt"
    run=("$bin/train" "${fm[@]}" --batch-size 32 --lr-decay 0.85 --seed 5 --model mlp:128,64 "${flags[@]}")
    "${run[@]}" --epochs 4 --checkpoint-file "$work/a.fnck" --plot-file "$work/a.svg" >/dev/null || fail "train $opt failed"
    "${run[@]}" --epochs 2 --checkpoint-file "$work/b.fnck" --plot-file "$work/b.svg" >/dev/null || fail "train $opt failed"
    expect 0 'Resuming from .*b.fnck after epoch 2 of 4' "$bin/train" --resume --epochs 4 --checkpoint-file "$work/b.fnck" \
      --plot-file "$work/b.svg" --data-dir "$work/data/fashion-mnist"
    cmp "$work/a.fnck" "$work/b.fnck" || fail "$opt: the resumed run's checkpoint differs from the uninterrupted run's"
  done
  expect 2 '--optimizer cannot be given with --resume' "$bin/train" --resume --optimizer sgd --checkpoint-file "$work/b.fnck" \
    --data-dir "$work/data/fashion-mnist"
  expect 2 "--momentum and --nesterov are SGD's" train_small --optimizer adam --momentum 0.9
  expect 2 "--beta1, --beta2 and --eps are Adam's" train_small --beta1 0.8
  expect 2 '--nesterov needs a --momentum above 0' train_small --nesterov
  expect 2 "--optimizer: 'rmsprop' is not supported" train_small --optimizer rmsprop
  # MSE on one-hot targets learns the toy data too.
  log=$(train_small --loss mse --lr 0.5 --weight-scale 0.05) || fail "train --loss mse failed: $log"
  val=$(grep -E '^Val: ' <<<"$log" | tail -n 1 | cut -d' ' -f2)
  awk -v v="$val" 'BEGIN { exit !(v > 80) }' || fail "--loss mse should reach > 80% val on the toy data, got $val"
  ;;
kill_and_resume)
  # 50 times: SIGKILL train (tests/tools/kill_during_write), at a random moment for odd kills and
  # 0-400 us after a checkpoint write has begun for even ones (the 1024-unit net's checkpoints are
  # ~6.5 MB); the checkpoint on disk must always load, and resuming from it must continue. The
  # run then ends byte-identical to an uninterrupted one.
  run=("$bin/train" "${fm[@]}" --hidden 1024 --batch-size 50 --momentum 0.5 --seed 11 --print-every 1000)
  epochs=40
  # The kill window follows this build's speed (sanitizers, a loaded machine): from the start of
  # a run to three epochs past its set-up.
  t0=$(date +%s%N)
  "${run[@]}" --epochs 1 --checkpoint-file "$work/one.fnck" --plot-file "$work/one.svg" >/dev/null || fail "1-epoch run failed"
  t1=$(date +%s%N)
  "${run[@]}" --epochs $epochs --checkpoint-file "$work/straight.fnck" --plot-file "$work/straight.svg" >/dev/null ||
    fail "uninterrupted run failed"
  t2=$(date +%s%N)
  epoch_us=$(( (t2 - t1 - (t1 - t0)) / 1000 / (epochs - 1) ))
  [ $epoch_us -gt 0 ] || epoch_us=1000
  window_us=$(( (t1 - t0) / 1000 + 3 * epoch_us ))
  echo "one run: set-up and first epoch $(( (t1 - t0) / 1000000 )) ms, then $(( epoch_us / 1000 )) ms per epoch"
  ck="$work/killed.fnck"
  torn=0
  for kill in $(seq 1 50); do
    if [ -f "$ck" ]; then cmd=("$bin/train" --resume --epochs $epochs --checkpoint-file "$ck" --plot-file "$work/killed.svg" \
                               --data-dir "$work/data/fashion-mnist")
    else cmd=("${run[@]}" --epochs $epochs --checkpoint-file "$ck" --plot-file "$work/killed.svg"); fi
    rm -f "$ck.tmp"
    mode=random
    [ $((kill % 2)) -eq 0 ] && mode=write
    outcome=$("$kill_tool" "$ck.tmp" $mode $kill $window_us -- "${cmd[@]}" 2>/dev/null) || fail "kill_during_write failed"
    [ "$outcome" = mid-write ] && torn=$((torn + 1))
    if [ -f "$ck" ]; then
      "$bin/evaluate" --checkpoint-file "$ck" --data-dir "$work/data/fashion-mnist" >/dev/null 2>"$work/err" ||
        fail "after kill $kill the checkpoint does not load: $(cat "$work/err")"
    fi
  done
  echo "50 kills ($torn during a checkpoint write): the checkpoint on disk was always a valid one"
  [ -f "$ck" ] || fail "no checkpoint after 50 kills"
  "$bin/train" --resume --epochs $epochs --checkpoint-file "$ck" --plot-file "$work/killed.svg" \
    --data-dir "$work/data/fashion-mnist" >/dev/null || fail "the final resume failed"
  cmp "$work/straight.fnck" "$ck" || fail "killed-and-resumed run differs from the uninterrupted one"
  echo "killed 50 times and resumed: byte-identical to the uninterrupted run"
  ;;
quantize)
  train_small --weight-scale 0.05 >/dev/null || fail "train failed"
  expect 0 '^int8 test accuracy: [0-9]+\.[0-9]{2}$' "$bin/quantize" --checkpoint-file "$work/ckpt.fnck" \
    --data-dir "$work/data/fashion-mnist" --calibration-images 200 --output-file "$work/m.fnq" --header-file "$work/m.hpp"
  [ -s "$work/m.fnq" ] || fail "no .fnq written"
  grep -q 'using Model = firmnet::quant::QNetwork<firmnet::Shape<1, 1, 784>, firmnet::quant::QFc<' "$work/m.hpp" ||
    fail "header lacks the model type"
  grep -q 'inline constexpr Model model' "$work/m.hpp" || fail "header lacks the model"
  grep -q 'expected_logits' "$work/m.hpp" || fail "header lacks the test vectors"
  expect 1 'not a firmnet checkpoint' "$bin/quantize" --checkpoint-file "$work/m.fnq" --data-dir "$work/data/fashion-mnist"
  expect 2 '--calibration-images: 0 is out of range' "$bin/quantize" --checkpoint-file "$work/ckpt.fnck" --calibration-images 0
  expect 2 '--checkpoint-file is required' "$bin/quantize"
  expect 2 "--header-namespace: 'my-model' is not a C\+\+ namespace name" "$bin/quantize" --checkpoint-file "$work/ckpt.fnck" \
    --data-dir "$work/data/fashion-mnist" --header-namespace my-model
  for ns in class 9lives a::b::; do
    expect 2 "--header-namespace: '$ns' is not" "$bin/quantize" --checkpoint-file "$work/ckpt.fnck" --header-namespace "$ns"
  done
  ;;
valgrind)
  # memcheck over the programs on tiny data: no invalid access, no uninitialised value used, no leak.
  vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --track-origins=yes)
  expect 0 '^Done: 1 epochs' "${vg[@]}" "$bin/train" "${fm[@]}" --hidden 64 --epochs 1 --batch-size 50 "${out[@]}"
  expect 0 '^Test: ' "${vg[@]}" "$bin/evaluate" --checkpoint-file "$work/ckpt.fnck" --data-dir "$work/data/fashion-mnist"
  expect 0 '^int8 test accuracy' "${vg[@]}" "$bin/quantize" --checkpoint-file "$work/ckpt.fnck" \
    --data-dir "$work/data/fashion-mnist" --calibration-images 50 --output-file "$work/m.fnq" --header-file "$work/m.hpp"
  expect 0 '^Resuming' "${vg[@]}" "$bin/train" --resume --epochs 2 --checkpoint-file "$work/ckpt.fnck" \
    --plot-file "$work/plot.svg" --data-dir "$work/data/fashion-mnist"
  cp "$work/ckpt.fnck" "$work/broken.fnck"
  printf '\x55' | dd of="$work/broken.fnck" bs=1 seek=3000 conv=notrunc status=none
  expect 1 'checksum mismatch' "${vg[@]}" "$bin/evaluate" --checkpoint-file "$work/broken.fnck" --data-dir "$work/data/fashion-mnist"
  expect 0 '^PASS' "${vg[@]}" "$bin/firmware/firmware_infer"
  ;;
gradcheck)
  expect 0 '^PASSED: worst relative error' "$bin/gradcheck"
  expect 0 'grad_x difference: [0-9.]+e-[0-9]+$' "$bin/gradcheck"
  ;;
*) fail "unknown case $case" ;;
esac
echo "PASS: $case"
