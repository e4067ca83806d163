// The monitor's device pieces that need no VM: --net/-p parsing
// (net/net_config.h), frame helpers (net/frame.h), the DNS relay's choice of
// frames and upstream (net/dns_relay.h), and the disk file (block/file_disk.h).
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "vmm/block/file_disk.h"
#include "vmm/net/dns_relay.h"
#include "vmm/net/frame.h"
#include "vmm/net/net_config.h"

namespace silk::vmm {
namespace {

TEST(NetConfig, ParsesNetAndPublishOptions) {
  auto user = parse_net_option("user");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->kind, NetConfig::Kind::kUser);
  auto tap = parse_net_option("tap:tap0");
  ASSERT_TRUE(tap);
  EXPECT_EQ(tap->kind, NetConfig::Kind::kTap);
  EXPECT_EQ(tap->tap_name, "tap0");
  EXPECT_FALSE(parse_net_option("tap:"));
  EXPECT_FALSE(parse_net_option("tap:a-name-longer-than-15"));
  EXPECT_FALSE(parse_net_option("bridge"));

  auto tcp = parse_port_forward("8080:80");
  ASSERT_TRUE(tcp);
  EXPECT_FALSE(tcp->udp);
  EXPECT_EQ(tcp->host_port, 8080);
  EXPECT_EQ(tcp->guest_port, 80);
  auto udp = parse_port_forward("udp:5353:53");
  ASSERT_TRUE(udp);
  EXPECT_TRUE(udp->udp);
  EXPECT_TRUE(parse_port_forward("tcp:1:65535"));
  for (const char* bad : {"8080", "0:80", "80:0", "65536:80", "80:", ":80", "x:80", "udp:80", "80:80:80", "-1:80"})
    EXPECT_FALSE(parse_port_forward(bad)) << bad;

  NetConfig tap_with_forward = *tap;
  tap_with_forward.forwards.push_back(*tcp);
  EXPECT_FALSE(check_net_config(tap_with_forward));
  EXPECT_TRUE(check_net_config(*user));
}

// A guest UDP frame from 10.0.2.15:{sport} to {dst}:{dport}.
std::vector<uint8_t> udp_frame(const Ipv4& dst, uint16_t sport, uint16_t dport, size_t payload_len) {
  std::vector<uint8_t> payload(payload_len, 0xab);
  std::vector<uint8_t> frame(kEthHeader + 28 + payload_len);
  frame::build_udp(frame, Mac{0x52, 0x55, 10, 0, 2, 3}, kGuestMac, kUserGuest, sport, dst, dport, payload, 7);
  return frame;
}

TEST(Frame, BuildsUdpThatParsesWithValidChecksums) {
  auto f = udp_frame(kUserDns, 40000, 53, 33);  // odd length: the checksum pads
  frame::Ipv4Packet ip;
  ASSERT_TRUE(frame::parse_ipv4(f, ip));
  EXPECT_EQ(ip.protocol, frame::kProtoUdp);
  EXPECT_EQ(ip.src, kUserGuest);
  EXPECT_EQ(ip.dst, kUserDns);
  EXPECT_EQ(ip.total_len, 20u + 8 + 33);
  EXPECT_FALSE(ip.fragment);
  EXPECT_EQ(frame::internet_checksum({ip.ip, 20}), 0);  // a valid header sums to zero
  // UDP: pseudo-header + segment sums to zero too.
  const uint8_t* udp = ip.ip + 20;
  uint32_t pseudo = frame::get16(&ip.src[0]) + frame::get16(&ip.src[2]) + frame::get16(&ip.dst[0]) +
                    frame::get16(&ip.dst[2]) + frame::kProtoUdp + 41;
  EXPECT_EQ(frame::internet_checksum({udp, 41}, pseudo), 0);

  std::vector<uint8_t> truncated(f.begin(), f.end() - 1);
  EXPECT_FALSE(frame::parse_ipv4(truncated, ip));
  f[12] = 0x86;  // IPv6 EtherType
  EXPECT_FALSE(frame::parse_ipv4(f, ip));
}

std::string write_temp(const std::string& text) {
  char path[] = "/tmp/silk_resolv_XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  return path;
}

TEST(DnsRelay, TakesTheFirstIpv4NameserverOrNone) {
  std::string conf = write_temp("# comment\nsearch example\nnameserver fe80::1%eth0\nnameserver 192.0.2.53\n"
                                "nameserver 192.0.2.54\n");
  auto relay = DnsRelay::create(conf.c_str());
  ASSERT_TRUE(relay);
  EXPECT_EQ(relay->upstream(), "192.0.2.53:53");
  EXPECT_GE(relay->fd(), 0);
  unlink(conf.c_str());

  std::string v6 = write_temp("nameserver ::1\n");
  auto none = DnsRelay::create(v6.c_str());
  ASSERT_TRUE(none);
  EXPECT_EQ(none->upstream(), "none");
  EXPECT_EQ(none->fd(), -1);
  unlink(v6.c_str());
  auto missing = DnsRelay::create("/nonexistent/resolv.conf");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->upstream(), "none");
}

TEST(DnsRelay, TakesOnlyUdpQueriesTo10_0_2_3Port53) {
  auto relay = DnsRelay::create("/nonexistent/resolv.conf");  // no upstream: queries are dropped
  ASSERT_TRUE(relay);
  EXPECT_TRUE(relay->take_query(udp_frame(kUserDns, 40000, 53, 29)));
  EXPECT_EQ(relay->queries(), 1u);
  EXPECT_FALSE(relay->take_query(udp_frame(kUserDns, 40000, 54, 29)));  // another port: slirp's (filtered)
  EXPECT_FALSE(relay->take_query(udp_frame(kUserHost, 40000, 53, 29)));  // another address
  EXPECT_TRUE(relay->take_query(udp_frame(kUserDns, 40000, 53, 4)));    // too short for DNS: dropped
  EXPECT_EQ(relay->queries(), 1u);
  std::deque<std::vector<uint8_t>> out;
  relay->read_answers(out, 10);
  EXPECT_TRUE(out.empty());
}

class FileDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char p[] = "/tmp/silk_disk_XXXXXX";
    int fd = mkstemp(p);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(ftruncate(fd, 4 * 512 + 100), 0);  // four sectors and a partial one
    close(fd);
    path_ = p;
  }
  void TearDown() override { unlink(path_.c_str()); }
  std::string path_;
};

TEST_F(FileDiskTest, WholeSectorsReadWriteFlush) {
  auto disk = FileDisk::open(path_, false);
  ASSERT_TRUE(disk) << disk.error().message;
  EXPECT_EQ(disk->size(), 4u * 512);
  EXPECT_FALSE(disk->readonly());
  EXPECT_EQ(disk->check_range(0, 4 * 512), "");
  EXPECT_EQ(disk->check_range(4 * 512, 0), "");
  EXPECT_EQ(disk->check_range(100, 512), "offset 0x64 is not a multiple of 512");
  EXPECT_EQ(disk->check_range(0, 100), "length 0x64 is not a multiple of 512");
  EXPECT_EQ(disk->check_range(3 * 512, 1024), "[0x600, +0x400) runs past the end of the 2048-byte disk");
  EXPECT_NE(disk->check_range(~0ull - 511, 1024), "");  // offset + len wraps
  EXPECT_NE(disk->check_range(512, ~0ull - 511), "");

  std::vector<uint8_t> data(1024), back(1024);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(disk->write(1024, data));
  ASSERT_TRUE(disk->flush());
  ASSERT_TRUE(disk->read(1024, back));
  EXPECT_EQ(back, data);
}

TEST_F(FileDiskTest, ReadOnlyAndLocked) {
  {
    auto writer = FileDisk::open(path_, false);
    ASSERT_TRUE(writer);
    auto second = FileDisk::open(path_, true);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().message, path_ + ": in use by another process (flock)");
  }
  auto reader = FileDisk::open(path_, true);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->readonly());
  auto another_reader = FileDisk::open(path_, true);  // shared locks coexist
  EXPECT_TRUE(another_reader);
  auto writer = FileDisk::open(path_, false);
  EXPECT_FALSE(writer);
}

TEST(FileDisk, RefusesWhatIsNotADisk) {
  auto missing = FileDisk::open("/nonexistent/disk.img", false);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "/nonexistent/disk.img: No such file or directory");
  auto dir = FileDisk::open("/tmp", true);
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().message, "/tmp: not a regular file");
  std::string small = write_temp(std::string(511, 'x'));
  auto tiny = FileDisk::open(small, false);
  ASSERT_FALSE(tiny);
  EXPECT_EQ(tiny.error().message, small + ": 511 bytes: smaller than one 512-byte sector");
  unlink(small.c_str());
}

}  // namespace
}  // namespace silk::vmm
