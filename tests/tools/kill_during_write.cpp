// kill_during_write FILE MODE SEED MAX_US -- COMMAND...: runs COMMAND and SIGKILLs it.
//   MODE write:  0-400 us after FILE appears (a checkpoint write has begun; writing a 6.5 MB
//                checkpoint takes one to a few milliseconds), or after MAX_US at most;
//   MODE random: at a random moment in the first MAX_US microseconds.
// Prints "mid-write" if FILE still existed when the kill landed (the write was cut), else "other".
// Exit status 0 once the command is dead (or had exited), 2 on usage errors.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

namespace {
void sleep_us(long us) {
  timespec t{us / 1000000, (us % 1000000) * 1000};
  nanosleep(&t, nullptr);
}
bool exists(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 7 || std::strcmp(argv[5], "--") != 0) {
    std::fprintf(stderr, "usage: kill_during_write FILE write|random SEED MAX_US -- COMMAND...\n");
    return 2;
  }
  const long max_us = std::strtol(argv[4], nullptr, 10) > 0 ? std::strtol(argv[4], nullptr, 10) : 1;
  const char* file = argv[1];
  const bool on_write = std::strcmp(argv[2], "write") == 0;
  std::mt19937 rng(static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10)));
  const pid_t pid = fork();
  if (pid < 0) return 2;
  if (pid == 0) {  // the command's output would mix with the verdict on stdout
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execv(argv[6], argv + 6);
    _exit(127);
  }
  if (on_write) {
    for (long waited = 0; waited < max_us && !exists(file); waited += 50) sleep_us(50);
    sleep_us(static_cast<long>(rng() % 400));
  } else {
    sleep_us(static_cast<long>(rng() % static_cast<unsigned long>(max_us)));
  }
  const bool mid_write = exists(file);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  std::printf("%s\n", mid_write ? "mid-write" : "other");
  return 0;
}
