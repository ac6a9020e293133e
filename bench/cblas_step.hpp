// bench/cblas_step.hpp: the peer of firmnet's training step and prediction: the assignment's
// numpy code (TwoLayerNet.loss + an SGD update) transcribed operation by operation onto
// cblas_sgemm and loops, as numpy runs it: every array expression is one pass that writes its own
// temporary (allocated once here, so numpy's allocator is not charged), nothing is fused.
//   h1 = X.dot(W1) + b1;  h = np.maximum(0, h1);  scores = h.dot(W2) + b2
//   shifted = scores - max;  e = np.exp(shifted);  probs = e / e.sum(1);  loss = -mean log probs[y]
//   loss += 0.5*reg*(np.sum(W1*W1) + np.sum(W2*W2))
//   dscores = probs.copy(); dscores[y] -= 1; dscores /= N
//   dW2 = h.T.dot(dscores) + reg*W2;  db2 = dscores.sum(0);  dh = dscores.dot(W2.T);  dh[h1 <= 0] = 0
//   dW1 = X.T.dot(dh) + reg*W1;  db1 = dh.sum(0);  for each p: p -= lr * dp
#pragma once

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace bench {

class CblasTwoLayerNet {
 public:
  CblasTwoLayerNet(std::size_t in, std::size_t hidden, std::size_t classes, std::size_t batch)
      : in_(in), hidden_(hidden), classes_(classes), batch_(batch), w1_(in * hidden), b1_(hidden), w2_(hidden * classes),
        b2_(classes), dw1_(in * hidden), db1_(hidden), dw2_(hidden * classes), db2_(classes), xw1_(batch * hidden),
        h1_(batch * hidden), h_(batch * hidden), hw2_(batch * classes), scores_(batch * classes),
        shifted_(batch * classes), e_(batch * classes), probs_(batch * classes), dscores_(batch * classes),
        dh_(batch * hidden), gemm1_(in * hidden), reg1_(in * hidden), sq1_(in * hidden), step1_(in * hidden),
        gemm2_(hidden * classes), reg2_(hidden * classes), sq2_(hidden * classes), step2_(hidden * classes),
        stepb1_(hidden), stepb2_(classes), row_max_(batch), row_sum_(batch) {
    for (std::size_t i = 0; i < w1_.size(); ++i) w1_[i] = 1e-3f * float(int(i * 7919 % 2001) - 1000) / 1000.f;
    for (std::size_t i = 0; i < w2_.size(); ++i) w2_[i] = 1e-3f * float(int(i * 104729 % 2001) - 1000) / 1000.f;
  }

  // scores(rows, classes) = np.maximum(0, X.dot(W1) + b1).dot(W2) + b2
  const float* forward(const float* x, std::size_t rows) {
    gemm(false, false, rows, hidden_, in_, x, w1_.data(), xw1_.data());                    // X.dot(W1)
    add_row(xw1_, b1_, h1_, rows, hidden_);                                                  // + b1
    for (std::size_t i = 0; i < rows * hidden_; ++i) h_[i] = std::max(0.f, h1_[i]);        // np.maximum
    gemm(false, false, rows, classes_, hidden_, h_.data(), w2_.data(), hw2_.data());      // h.dot(W2)
    add_row(hw2_, b2_, scores_, rows, classes_);                                             // + b2
    return scores_.data();
  }

  float step(const float* x, const unsigned char* y, float lr, float reg) {
    const std::size_t n = batch_, c = classes_;
    forward(x, n);
    for (std::size_t r = 0; r < n; ++r) {  // scores.max(axis=1)
      row_max_[r] = scores_[r * c];
      for (std::size_t j = 1; j < c; ++j) row_max_[r] = std::max(row_max_[r], scores_[r * c + j]);
    }
    for (std::size_t i = 0; i < n * c; ++i) shifted_[i] = scores_[i] - row_max_[i / c];
    for (std::size_t i = 0; i < n * c; ++i) e_[i] = std::exp(shifted_[i]);
    for (std::size_t r = 0; r < n; ++r) {  // e.sum(axis=1)
      row_sum_[r] = 0.f;
      for (std::size_t j = 0; j < c; ++j) row_sum_[r] += e_[r * c + j];
    }
    for (std::size_t i = 0; i < n * c; ++i) probs_[i] = e_[i] / row_sum_[i / c];
    float loss = 0.f;
    for (std::size_t r = 0; r < n; ++r) loss -= std::log(probs_[r * c + y[r]]);
    loss /= float(n);
    loss += 0.5f * reg * (sum_of_squares(w1_, sq1_) + sum_of_squares(w2_, sq2_));

    dscores_ = probs_;                                                      // probs.copy()
    for (std::size_t r = 0; r < n; ++r) dscores_[r * c + y[r]] -= 1.f;
    for (float& v : dscores_) v /= float(n);
    gemm(true, false, hidden_, c, n, h_.data(), dscores_.data(), gemm2_.data());  // h.T.dot(dscores)
    scaled(w2_, reg, reg2_);                                                 // reg * W2
    for (std::size_t i = 0; i < dw2_.size(); ++i) dw2_[i] = gemm2_[i] + reg2_[i];
    col_sum(dscores_, n, c, db2_);
    gemm(false, true, n, hidden_, c, dscores_.data(), w2_.data(), dh_.data());  // dscores.dot(W2.T)
    for (std::size_t i = 0; i < dh_.size(); ++i)
      if (h1_[i] <= 0.f) dh_[i] = 0.f;                                       // dh[h1 <= 0] = 0
    gemm(true, false, in_, hidden_, n, x, dh_.data(), gemm1_.data());       // X.T.dot(dh)
    scaled(w1_, reg, reg1_);                                                 // reg * W1
    for (std::size_t i = 0; i < dw1_.size(); ++i) dw1_[i] = gemm1_[i] + reg1_[i];
    col_sum(dh_, n, hidden_, db1_);

    sgd(w1_, dw1_, lr, step1_);
    sgd(b1_, db1_, lr, stepb1_);
    sgd(w2_, dw2_, lr, step2_);
    sgd(b2_, db2_, lr, stepb2_);
    return loss;
  }

 private:
  // C(m, n) = op(A)·op(B) with op = transpose where asked; A is (m,k) or (k,m), B (k,n) or (n,k).
  static void gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float* c) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), 1.f,
                a, ta ? int(m) : int(k), b, tb ? int(k) : int(n), 0.f, c, int(n));
  }
  static void add_row(const std::vector<float>& a, const std::vector<float>& row, std::vector<float>& out,
                      std::size_t rows, std::size_t cols) {
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < cols; ++j) out[r * cols + j] = a[r * cols + j] + row[j];
  }
  static float sum_of_squares(const std::vector<float>& w, std::vector<float>& sq) {  // np.sum(W * W)
    for (std::size_t i = 0; i < w.size(); ++i) sq[i] = w[i] * w[i];
    float s = 0.f;
    for (const float v : sq) s += v;
    return s;
  }
  static void scaled(const std::vector<float>& w, float f, std::vector<float>& out) {
    for (std::size_t i = 0; i < w.size(); ++i) out[i] = f * w[i];
  }
  static void col_sum(const std::vector<float>& a, std::size_t rows, std::size_t cols, std::vector<float>& out) {
    for (std::size_t j = 0; j < cols; ++j) out[j] = 0.f;
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < cols; ++j) out[j] += a[r * cols + j];
  }
  static void sgd(std::vector<float>& w, const std::vector<float>& dw, float lr, std::vector<float>& step) {
    scaled(dw, lr, step);                                             // lr * dW
    for (std::size_t i = 0; i < w.size(); ++i) w[i] -= step[i];      // W -= ...
  }

  std::size_t in_, hidden_, classes_, batch_;
  std::vector<float> w1_, b1_, w2_, b2_, dw1_, db1_, dw2_, db2_;
  std::vector<float> xw1_, h1_, h_, hw2_, scores_, shifted_, e_, probs_, dscores_, dh_;
  std::vector<float> gemm1_, reg1_, sq1_, step1_, gemm2_, reg2_, sq2_, step2_, stepb1_, stepb2_, row_max_, row_sum_;
};

}  // namespace bench
