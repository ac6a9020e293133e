// io/error.hpp: the one exception type of firmnet's hosted code (files, flags). Its message
// always names the file or flag and says what is wrong, e.g.
//   "data/train-images-idx3-ubyte.gz: truncated: header says 60000 images, file holds 1203".
// The core (kernels, layers, models, train) never throws; only io/ and cli/ do.
#pragma once

#include <stdexcept>
#include <string>

namespace firmnet::io {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace firmnet::io
