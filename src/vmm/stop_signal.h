// The host's SIGINT/SIGTERM, passed on to the guest (hvt_abi.h, Poll): the
// first one is kept for the guest, which gets it at its next Poll and stops
// its process gracefully (slight's server mode drains and exits 0, as under
// silk run); a second one ends silk vm at once with 128 + the signal.
#pragma once

namespace silk::vmm {

// Installs the handlers (before the vCPU loop; they interrupt KVM_RUN and
// the device waits, which then return early).
void install_stop_signal_handlers();

// Whether a stop signal waits for the guest: device waits return early.
bool stop_signal_waiting();

// The waiting signal (2 or 15), now handed to the guest; 0 when none waits.
int take_stop_signal();

}  // namespace silk::vmm
