package engine

// Version is the product version, set at build time with
// -ldflags "-X github.com/activeroles/arupgrade/core/engine.Version=…".
var Version = "0.1.0"

// ABI is the version of the C ABI and of the event protocol.
const ABI = 1
