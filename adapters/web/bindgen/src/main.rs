//! `tinyim-web-bindgen MODULE.wasm OUT_DIR`: writes the JavaScript glue of
//! the browser client's module and the module it loads, as
//! `wasm-bindgen --target web --no-typescript` does (`scripts/web-build`
//! runs it; TIM's TypeScript declarations are written by hand).
//!
//! wasm-bindgen's library rather than its command-line tool: the library
//! builds in the workspace at the version `Cargo.lock` pins, with the
//! dependencies the workspace already compiles, where `cargo install
//! wasm-bindgen-cli` compiled a test runner and its web server as well (the
//! longest step of a fresh CI run).

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(module), Some(out_dir), None) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: tinyim-web-bindgen MODULE.wasm OUT_DIR");
        return ExitCode::from(2);
    };
    let generated = wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&module)
        .typescript(false)
        // The page's script calls `init()` with no argument: the glue then
        // loads the module from beside itself (the command-line default).
        .omit_default_module_path(false)
        .web(true)
        .and_then(|bindgen| bindgen.generate(&out_dir));
    match generated {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tinyim-web-bindgen: {error:#}");
            ExitCode::FAILURE
        }
    }
}
