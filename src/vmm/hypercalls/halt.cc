// Halt: the VM ends; its exit status becomes silk vm's.
#include "vmm/hypercalls/hypercalls.h"

namespace silk::vmm {

HypercallOutcome handle(HypercallContext&, hvt::HvtHalt& call) { return HypercallOutcome::halt(call.exit_status); }

}  // namespace silk::vmm
