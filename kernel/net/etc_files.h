// The files glibc's resolver reads, made at boot when the initrd does not
// bring its own (Linux distributions generate them too): /etc/hosts
// (localhost, and the machine's name "silk" at its address),
// /etc/nsswitch.conf ("hosts: files dns", so /etc/hosts answers before any
// DNS query) and, with a network interface, /etc/resolv.conf (the DNS
// server from DHCP or the dns= word, else QEMU's and libslirp's 10.0.2.3).
#pragma once

namespace silk::kernel::net {

// After fs::init and net::init.
void write_etc_files();

}  // namespace silk::kernel::net
