//! Tests of the verdict: wrong losses or matmul sums are refused however fast, right ones ranked.

use super::*;

fn result(lib: &str, work: &str, median: f64, losses: &[f64], ok: bool) -> Value {
    json!({ "lib": lib, "backend": "webgpu", "workload": work, "median_ms": median,
            "losses": losses, "initial_loss_ok": ok, "initial_loss_expected": 2.3265,
            "loss_decreased": losses.last() < losses.first(), "error": null })
}

fn data(results: Vec<Value>) -> Value {
    json!({ "runs": [{ "results": results, "contention": { "foreign_cpu_frac": 0.0 } }] })
}

#[test]
fn a_fast_run_with_wrong_losses_is_refused_not_passed() {
    let mut d = data(vec![
        result("pixelgrad", "lenet", 3.5, &[0.0, 0.01], false),
        result("jax-js", "lenet", 479.0, &[2.3265, 2.32], true),
    ]);
    assert_eq!(mark_invalid(&mut d), 1);
    let (text, summary) = render(&d);
    assert_eq!(summary["lenet"]["pass"], false, "{text}");
    assert!(text.contains("INVALID"), "{text}");
}

#[test]
fn a_loss_that_does_not_decrease_is_refused() {
    let mut d = data(vec![
        result("pixelgrad", "lenet", 3.5, &[2.3265, 2.3265], true),
        result("jax-js", "lenet", 479.0, &[2.3265, 2.32], true),
    ]);
    assert_eq!(mark_invalid(&mut d), 1);
    assert_eq!(render(&d).1["lenet"]["pass"], false);
}

#[test]
fn a_wrong_matmul_is_refused_and_a_right_one_ranked() {
    let mut d = data(vec![
        result("pixelgrad", "matmul", 1.0, &[0.0], true),
        result("jax-js", "matmul", 1000.0, &[-11.7581], true),
        result("tfjs", "matmul", 1100.0, &[-11.7581], true),
    ]);
    assert_eq!(mark_invalid(&mut d), 1);
    assert_eq!(render(&d).1["matmul"]["pass"], false);
    let mut d = data(vec![
        result("pixelgrad", "matmul", 500.0, &[-11.75809], true),
        result("jax-js", "matmul", 1000.0, &[-11.7581], true),
    ]);
    assert_eq!(mark_invalid(&mut d), 0);
    assert_eq!(render(&d).1["matmul"]["pass"], true);
}
