// A 1,000-group plan allocates millions of small strings on several threads: with
// mimalloc it takes about a third less CPU time than with glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    aciform::cli::main()
}
