use std::process::ExitCode;

fn main() -> ExitCode {
    driftdeck::cli::main()
}
