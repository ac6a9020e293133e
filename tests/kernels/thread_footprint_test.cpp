// A thread of a program that links firmnet costs nothing it does not ask for: no thread-local
// pack buffers (the GEMM packs into its caller's scratch or a pool worker's own), so a thread
// with a small stack starts, and the program's TLS segment stays small. Linked with
// firmnet::firmnet and calling the GEMM, so every kernel object file is in the program.
#include <catch2/catch.hpp>

#include <link.h>
#include <unistd.h>
#include <pthread.h>

#include <algorithm>
#include <vector>

#include "firmnet/kernels/gemm.hpp"

using namespace firmnet;

namespace {
void* run_gemm(void* out) {
  float a[4 * 3] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, b[3 * 2] = {1, 0, 0, 1, 1, 1};
  kernels::gemm_nn<float>(4, 2, 3, a, b, static_cast<float*>(out), false, {});  // m <= 4: needs no scratch
  return nullptr;
}

int tls_bytes(dl_phdr_info* info, std::size_t, void* total) {
  for (int i = 0; i < info->dlpi_phnum; ++i)
    if (info->dlpi_phdr[i].p_type == PT_TLS) *static_cast<std::size_t*>(total) += info->dlpi_phdr[i].p_memsz;
  return 0;
}
}  // namespace

// 64 KiB, or the platform's minimum where that is larger (aarch64 glibc: 128 KiB).
TEST_CASE("a thread with a 64 KiB stack starts and runs a GEMM", "[kernels][threads]") {
  std::vector<float> c(8, -1.f);
  pthread_attr_t attr;
  REQUIRE(pthread_attr_init(&attr) == 0);
  const long smallest = std::max(64L * 1024, sysconf(_SC_THREAD_STACK_MIN));
  CAPTURE(smallest);
  REQUIRE(pthread_attr_setstacksize(&attr, static_cast<std::size_t>(smallest)) == 0);
  pthread_t thread;
  REQUIRE(pthread_create(&thread, &attr, run_gemm, c.data()) == 0);  // EINVAL when TLS outgrows the stack
  REQUIRE(pthread_join(thread, nullptr) == 0);
  pthread_attr_destroy(&attr);
  REQUIRE(c[0] == 4.f);  // row 0: (1, 2, 3)·B = (1 + 3, 2 + 3)
  REQUIRE(c[1] == 5.f);
}

TEST_CASE("the program's thread-local storage is small", "[kernels][threads]") {
  std::size_t total = 0;
  dl_iterate_phdr(tls_bytes, &total);
  INFO("TLS bytes of every loaded module: " << total);
  REQUIRE(total < 16 * 1024);  // libc and libstdc++ need a few KiB; 1.1 MiB of pack buffers once sat here
}
