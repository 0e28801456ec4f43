//! The `driftdeck` binary: everything is in the library; this only hands over to the CLI.

use std::process::ExitCode;

fn main() -> ExitCode {
    driftdeck::cli::main()
}
