// io/report.hpp: the record of a training run and its two renderings: a CSV with one row per
// iteration (accuracies on the last iteration of each epoch) and an SVG picture like the
// assignment's plot: loss per iteration above, train and val accuracy per epoch below.
// Both files are written atomically.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace firmnet::io {

struct EpochRecord {
  std::size_t epoch = 0;  // 1-based, as printed
  double train_accuracy = 0, val_accuracy = 0;  // in [0, 1]
  double seconds = 0;      // wall time of the epoch, evaluation included
  double images_per_second = 0;  // training images per second of training steps
};

struct TrainingHistory {
  std::string title;
  std::size_t iterations_per_epoch = 0;
  std::vector<double> loss;  // one per iteration
  std::vector<EpochRecord> epochs;
};

std::string history_csv(const TrainingHistory& history);
std::string history_svg(const TrainingHistory& history);
void write_history_csv(const std::string& path, const TrainingHistory& history);
void write_history_svg(const std::string& path, const TrainingHistory& history);

}  // namespace firmnet::io
