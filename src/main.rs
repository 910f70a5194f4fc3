//! Entry point of the Cunju app (compiled to wasm by Trunk).

fn main() {
    cunju::start();
}
