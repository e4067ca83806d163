// A real redis-server for tests: started on a free loopback port with no
// persistence, ready (answers PING) when start() returns, killed by stop() or
// the destructor (and by the kernel if the test process dies first).
// With a certificate it also serves TLS on tls_port() (clients not checked).
#pragma once

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace silk::testing {

class RedisServer {
 public:
  // The redis-server binary ($SILK_REDIS_SERVER, else from $PATH); "" if none.
  static std::string binary() {
    if (const char* env = std::getenv("SILK_REDIS_SERVER"); env && *env) return env;
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      std::string candidate = dirs.substr(start, end - start) + "/redis-server";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      start = end + 1;
    }
    return "";
  }

  // A loopback TCP port nobody listens on right now.
  static int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }

  explicit RedisServer(std::string password = "") : password_(std::move(password)) {}
  // Also serve TLS with {cert_file}/{key_file} (PEM).
  void enable_tls(std::string cert_file, std::string key_file) {
    cert_file_ = std::move(cert_file);
    key_file_ = std::move(key_file);
  }
  int tls_port() const { return tls_port_; }
  ~RedisServer() { stop(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  std::string url() const {
    return "redis://" + (password_.empty() ? "" : ":" + password_ + "@") + "127.0.0.1:" + std::to_string(port_);
  }

  // Starts the server on {port} (0: a free one). Returns "" or what went wrong.
  std::string start(int port = 0) {
    std::string bin = binary();
    if (bin.empty()) return "redis-server not found";
    for (int attempt = 0; attempt < 5; attempt++) {
      port_ = port ? port : free_port();
      std::vector<std::string> args = {bin, "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                       "--save", "", "--appendonly", "no", "--dir", "/tmp",
                                       "--daemonize", "no", "--loglevel", "warning"};
      if (!password_.empty()) args.insert(args.end(), {"--requirepass", password_});
      if (!cert_file_.empty()) {
        if (!port || !tls_port_) tls_port_ = free_port();
        args.insert(args.end(), {"--tls-port", std::to_string(tls_port_), "--tls-cert-file", cert_file_,
                                 "--tls-key-file", key_file_, "--tls-ca-cert-file", cert_file_,
                                 "--tls-auth-clients", "no"});
      }
      pid_ = ::fork();
      if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);  // redis logs to stdout; errors still reach the test log on stderr
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
      }
      if (wait_ready()) return "";
      stop();
      if (port) break;  // a fixed port: no other to try
    }
    return "redis-server did not start on port " + std::to_string(port_);
  }

  // Kills the server (SIGKILL: as a crash would) and reaps it.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  void pause() { ::kill(pid_, SIGSTOP); }
  void resume() { ::kill(pid_, SIGCONT); }

  // One command on a fresh connection (authenticated); nullptr on failure.
  redisReply* command(const std::vector<std::string>& args) const {
    timeval tv{2, 0};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    if (c == nullptr || c->err) {
      if (c) redisFree(c);
      return nullptr;
    }
    if (!password_.empty()) {
      auto* r = static_cast<redisReply*>(redisCommand(c, "AUTH %s", password_.c_str()));
      if (r) freeReplyObject(r);
    }
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (auto& a : args) argv.push_back(a.c_str()), lens.push_back(a.size());
    auto* r = static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
    redisFree(c);
    return r;
  }

 private:
  bool wait_ready() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;  // exited (the port was taken, say)
      }
      if (redisReply* r = command({"PING"})) {
        bool up = r->type == REDIS_REPLY_STATUS;
        freeReplyObject(r);
        if (up) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  std::string password_;
  std::string cert_file_, key_file_;
  int port_ = 0;
  int tls_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace silk::testing
