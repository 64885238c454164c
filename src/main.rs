fn main() -> std::process::ExitCode {
    ecs_diagnose::cli::main()
}
