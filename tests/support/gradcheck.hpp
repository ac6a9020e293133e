// tests/support/gradcheck.hpp: a report callback for firmnet::check that asserts.
#pragma once

#include <catch2/catch.hpp>

#include "firmnet/check/gradcheck.hpp"

namespace firmnet::test {

struct RequireSmallError {
  double worst = 0;
  void operator()(const char* name, double error) {
    INFO(name << " relative error " << error);
    CHECK(error < check::kTolerance);
    worst = error > worst ? error : worst;
  }
};

}  // namespace firmnet::test
