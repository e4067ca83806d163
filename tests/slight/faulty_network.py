"""A lossy, reordering network made of two network namespaces, for fault tests.

    client ns                      router ns
    [veth c] 10.77.2.2/24 ---- 10.77.2.1/24 [veth r]   (IP forwarding on)
                                10.77.1.1/24 [tap]  ---- the VM (silk vm --net tap:TAP, 10.77.1.2)

Every packet between the client and the server crosses the veth pair, once
each way, so the faults sit on the egress of both veth ends:

* loss: an nftables rule on the netdev egress hook drops LOSS % of the
  packets (`numgen random mod 100 < LOSS drop`);
* reordering: another rule sends REORDER % of the rest to a slow HTB class
  (5 Mbit/s, one packet of burst), so they leave a few milliseconds late and
  the packets behind them overtake them.

That is what `tc qdisc ... netem loss 5% reorder ...` does; netem itself is
not in every kernel (this project's CI kernel lacks sch_netem), nftables and
HTB are. The namespaces hold everything the test creates: nothing is changed
in the caller's namespace, and close() deletes them.
"""
import os
import shutil
import subprocess

ROUTER_ON_CLIENT_SIDE = "10.77.2.1"
CLIENT_ADDRESS = "10.77.2.2"
TAP_ADDRESS = "10.77.1.1"
GUEST_ADDRESS = "10.77.1.2"
TAP_PREFIX = 24


def missing_requirements():
    """Why the faulty network cannot be made here, or None."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool, package in (("ip", "iproute2"), ("tc", "iproute2"), ("nft", "nftables")):
        if shutil.which(tool) is None:
            return f"the {tool} command is missing (Debian package {package})"
    if not os.path.exists("/dev/net/tun"):
        return "/dev/net/tun is missing: no tap devices here"
    return None


def _sh(*args, ns=None, stdin=None):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


class FaultyNetwork:
    def __init__(self, loss_percent=5, reorder_percent=10, tap="silktap0"):
        suffix = str(os.getpid())
        self.router, self.client, self.tap = f"silk-router-{suffix}", f"silk-client-{suffix}", tap
        self.loss, self.reorder = loss_percent, reorder_percent
        try:
            self._create()
        except BaseException:
            self.close()
            raise

    def _create(self):
        r, c = self.router, self.client
        _sh("ip", "netns", "add", r)
        _sh("ip", "netns", "add", c)
        _sh("ip", "link", "add", "vr", "netns", r, "type", "veth", "peer", "name", "vc", "netns", c)
        for ns, dev, addr in ((r, "vr", ROUTER_ON_CLIENT_SIDE), (c, "vc", CLIENT_ADDRESS)):
            _sh("ip", "link", "set", "lo", "up", ns=ns)
            _sh("ip", "addr", "add", f"{addr}/24", "dev", dev, ns=ns)
            _sh("ip", "link", "set", dev, "up", ns=ns)
        _sh("ip", "route", "add", "default", "via", ROUTER_ON_CLIENT_SIDE, ns=c)
        _sh("sysctl", "-qw", "net.ipv4.ip_forward=1", ns=r)
        _sh("ip", "tuntap", "add", "dev", self.tap, "mode", "tap", ns=r)
        _sh("ip", "addr", "add", f"{TAP_ADDRESS}/{TAP_PREFIX}", "dev", self.tap, ns=r)
        _sh("ip", "link", "set", self.tap, "up", ns=r)
        for ns, dev in ((r, "vr"), (c, "vc")):
            _sh("tc", "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "1", "r2q", "100000", ns=ns)
            _sh("tc", "class", "add", "dev", dev, "parent", "1:", "classid", "1:1", "htb", "rate", "10gbit", ns=ns)
            _sh("tc", "class", "add", "dev", dev, "parent", "1:", "classid", "1:2", "htb", "rate", "5mbit",
                "burst", "1600", "cburst", "1600", ns=ns)
            rules = (f"table netdev silk_faults {{\n"
                     f"  chain egress {{\n"
                     f"    type filter hook egress device {dev} priority 0;\n"
                     f"    numgen random mod 100 < {self.loss} counter drop\n"
                     f"    numgen random mod 100 < {self.reorder} counter meta priority set 1:2\n"
                     f"  }}\n"
                     f"}}\n")
            _sh("nft", "-f", "-", ns=ns, stdin=rules)

    def in_router(self, args):
        """ARGS run inside the router namespace (where the tap is)."""
        return ["ip", "netns", "exec", self.router, *args]

    def in_client(self, args):
        return ["ip", "netns", "exec", self.client, *args]

    def counters(self):
        """{'dropped': packets, 'delayed': packets} over both directions."""
        dropped = delayed = 0
        for ns in (self.router, self.client):
            for line in _sh("nft", "list", "table", "netdev", "silk_faults", ns=ns).splitlines():
                if "counter packets" not in line:
                    continue
                n = int(line.split("counter packets")[1].split()[0])
                if line.strip().endswith("drop"):
                    dropped += n
                else:
                    delayed += n
        return {"dropped": dropped, "delayed": delayed}

    def close(self):
        for ns in (self.router, self.client):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)
