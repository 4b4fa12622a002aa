//! Times the validation and solve of a network given as a JSON specification:
//! `cargo run --release -p rackflow-core --example network_solve -- spec.json [repeats]`.
#![allow(clippy::print_stdout)]

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or("usage: network_solve spec.json [repeats]")?;
    let repeats: usize = args.get(2).map_or(Ok(1), |s| s.parse())?;
    let text = std::fs::read_to_string(path)?;
    for _ in 0..repeats {
        let t0 = Instant::now();
        let spec: rackflow_core::network::NetworkSpec = serde_json::from_str(&text)?;
        println!("parse {:.3} s", t0.elapsed().as_secs_f64());
        let t1 = Instant::now();
        let sol = rackflow_core::network::solve_columns(spec)?;
        println!(
            "solve {:.3} s  newton {} coupling {} sweeps {} unknowns {} energy error {:.2e}",
            t1.elapsed().as_secs_f64(),
            sol.iterations.newton,
            sol.iterations.coupling,
            sol.iterations.energy_sweeps,
            sol.iterations.unknowns,
            sol.energy_balance.relative_error
        );
        println!("  {:?}", sol.times);
    }
    Ok(())
}
