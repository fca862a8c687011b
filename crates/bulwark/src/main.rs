//! `bulwark` — the command-line entry point: parses arguments and wires the crates together.

mod cli;
mod config;
mod db;
mod exit;
mod gate;
mod output;
mod progress;
mod report;
mod scan;
mod scanners;
mod sources;
mod vulns;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let code = match cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            exit::code_for(&err)
        }
    };
    std::process::exit(code);
}
