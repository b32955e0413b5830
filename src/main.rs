fn main() -> std::process::ExitCode {
    aciform::cli::main()
}
