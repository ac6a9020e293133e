// bench/cblas_step.hpp: the peer of firmnet's training step and prediction, written plainly on
// cblas_sgemm as numpy and PyTorch run the assignment's net: three GEMMs through OpenBLAS, the
// bias, ReLU, softmax and L2 as simple loops, then the SGD update. Buffers allocated once.
#pragma once

#include <cblas.h>

#include <cmath>
#include <cstddef>
#include <vector>

namespace bench {

class CblasTwoLayerNet {
 public:
  CblasTwoLayerNet(std::size_t in, std::size_t hidden, std::size_t classes, std::size_t batch)
      : in_(in), hidden_(hidden), classes_(classes), batch_(batch), w1_(in * hidden), b1_(hidden), w2_(hidden * classes),
        b2_(classes), dw1_(in * hidden), db1_(hidden), dw2_(hidden * classes), db2_(classes), h_(batch * hidden),
        dh_(batch * hidden), scores_(batch * classes), dscores_(batch * classes) {
    for (std::size_t i = 0; i < w1_.size(); ++i) w1_[i] = 1e-3f * float(int(i * 7919 % 2001) - 1000) / 1000.f;
    for (std::size_t i = 0; i < w2_.size(); ++i) w2_[i] = 1e-3f * float(int(i * 104729 % 2001) - 1000) / 1000.f;
  }

  // scores(rows, classes) = relu(x·W1 + b1)·W2 + b2
  const float* forward(const float* x, std::size_t rows) {
    const int n = int(rows);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, int(hidden_), int(in_), 1.f, x, int(in_), w1_.data(),
                int(hidden_), 0.f, h_.data(), int(hidden_));
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < hidden_; ++j) {
        float& v = h_[r * hidden_ + j];
        v += b1_[j];
        v = v > 0.f ? v : 0.f;
      }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, int(classes_), int(hidden_), 1.f, h_.data(), int(hidden_),
                w2_.data(), int(classes_), 0.f, scores_.data(), int(classes_));
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < classes_; ++j) scores_[r * classes_ + j] += b2_[j];
    return scores_.data();
  }

  float step(const float* x, const unsigned char* y, float lr, float reg) {
    forward(x, batch_);
    const int n = int(batch_);
    float loss = 0.f;
    for (std::size_t r = 0; r < batch_; ++r) {  // softmax cross-entropy, mean over the batch
      const float* s = &scores_[r * classes_];
      float* d = &dscores_[r * classes_];
      float mx = s[0];
      for (std::size_t c = 1; c < classes_; ++c) mx = s[c] > mx ? s[c] : mx;
      float sum = 0.f;
      for (std::size_t c = 0; c < classes_; ++c) sum += d[c] = std::exp(s[c] - mx);
      loss += std::log(sum) - (s[y[r]] - mx);
      for (std::size_t c = 0; c < classes_; ++c) d[c] /= sum * float(batch_);
      d[y[r]] -= 1.f / float(batch_);
    }
    loss /= float(batch_);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(hidden_), int(classes_), n, 1.f, h_.data(), int(hidden_),
                dscores_.data(), int(classes_), 0.f, dw2_.data(), int(classes_));
    col_sum(dscores_.data(), classes_, db2_.data());
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, int(hidden_), int(classes_), 1.f, dscores_.data(),
                int(classes_), w2_.data(), int(classes_), 0.f, dh_.data(), int(hidden_));
    for (std::size_t i = 0; i < dh_.size(); ++i) dh_[i] = h_[i] > 0.f ? dh_[i] : 0.f;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(in_), int(hidden_), n, 1.f, x, int(in_), dh_.data(),
                int(hidden_), 0.f, dw1_.data(), int(hidden_));
    col_sum(dh_.data(), hidden_, db1_.data());
    loss += l2_and_update(w1_, dw1_, lr, reg) + l2_and_update(w2_, dw2_, lr, reg);
    sgd(b1_, db1_, lr);
    sgd(b2_, db2_, lr);
    return loss;
  }

 private:
  void col_sum(const float* a, std::size_t cols, float* out) const {
    for (std::size_t j = 0; j < cols; ++j) out[j] = 0.f;
    for (std::size_t r = 0; r < batch_; ++r)
      for (std::size_t j = 0; j < cols; ++j) out[j] += a[r * cols + j];
  }
  static float l2_and_update(std::vector<float>& w, std::vector<float>& dw, float lr, float reg) {
    float sum = 0.f;
    for (std::size_t i = 0; i < w.size(); ++i) {
      sum += w[i] * w[i];
      dw[i] += reg * w[i];
      w[i] -= lr * dw[i];
    }
    return 0.5f * reg * sum;
  }
  static void sgd(std::vector<float>& w, const std::vector<float>& dw, float lr) {
    for (std::size_t i = 0; i < w.size(); ++i) w[i] -= lr * dw[i];
  }

  std::size_t in_, hidden_, classes_, batch_;
  std::vector<float> w1_, b1_, w2_, b2_, dw1_, db1_, dw2_, db2_, h_, dh_, scores_, dscores_;
};

}  // namespace bench
