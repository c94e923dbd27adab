//! The checker as a specification: each mistake a user can make is reported once, at the span
//! that caused it, with a message that says what to do.

use pixelgrad::loss::dsl::{
    analyze, compile, limits, to_python, Diagnostic, Env, Inputs, LossError, Severity, Sizes,
    PRESETS,
};
use pixelgrad::Tensor;

/// The only diagnostic of `src` (asserting there is exactly one) and the text it points at.
fn only(src: &str, env: &Env) -> (Diagnostic, String) {
    let a = analyze(src, env);
    assert_eq!(a.diagnostics.len(), 1, "{src}: {:#?}", a.diagnostics);
    let d = a.diagnostics[0].clone();
    let text = d.span.text(src).to_string();
    (d, text)
}

fn error(src: &str) -> (String, String) {
    let (d, text) = only(src, &Env::default());
    assert_eq!(d.severity, Severity::Error, "{src}: {d}");
    (d.message, text)
}

#[test]
fn unknown_names_suggest_the_closest() {
    let (m, t) = error("mean(-gather(log_prob, target))");
    assert_eq!(t, "log_prob");
    assert!(m.contains("did you mean `log_probs`"), "{m}");
    let (m, t) = error("mean(-gathr(log_probs, target))");
    assert_eq!(t, "gathr");
    assert!(m.contains("did you mean `gather`"), "{m}");
    let (m, t) = error("param gamma = 2 in 0..5\nmean(logits * gama)");
    assert_eq!(t, "gama");
    assert!(m.contains("`gamma`"), "{m}");
    let (m, _) = error("mean(features)");
    assert!(m.contains("does not expose"), "{m}");
}

#[test]
fn did_you_mean_comes_with_a_fix_that_makes_the_source_check() {
    for src in [
        "mean(-gather(log_prob, target))",
        "mean(-gathr(log_probs, target))",
    ] {
        let (d, _) = only(src, &Env::default());
        let fix = d.fix.expect("a fix");
        let mut fixed = src.to_string();
        fixed.replace_range(fix.span.start..fix.span.end, &fix.replacement);
        assert!(
            analyze(&fixed, &Env::default()).diagnostics.is_empty(),
            "{fixed}"
        );
    }
}

#[test]
fn wrong_arity_points_at_the_call() {
    let (m, t) = error("mean(softmax(logits, 1, 2))");
    assert_eq!(t, "softmax(logits, 1, 2)");
    assert!(m.contains("takes 1 to 2 arguments"), "{m}");
    let (m, _) = error("mean(exp())");
    assert!(m.contains("takes 1 argument (exp(x)), got 0"), "{m}");
}

#[test]
fn shape_mismatches_name_the_symbols() {
    let (m, t) = error("mean(logits - mean(logits, 1))");
    assert_eq!(t, "logits - mean(logits, 1)");
    assert!(m.contains("[B, C] and [B]"), "{m}");
    assert!(m.contains("C against B"), "{m}");
    assert!(compile("mean(logits - mean(logits, 1, true))", &Env::default()).is_ok());
    let (m, t) = error("mean(gather(logits, onehot))");
    assert_eq!(t, "onehot");
    assert!(m.contains("index"), "{m}");
    let (m, t) = error("mean(sum(logits, 2))");
    assert_eq!(t, "2");
    assert!(m.contains("out of range"), "{m}");
}

#[test]
fn the_result_must_be_a_trainable_scalar() {
    let src = "-gather(log_probs, target)";
    let (d, t) = only(src, &Env::default());
    assert_eq!(t, src);
    assert!(
        d.message.contains("single number, but this is [B]"),
        "{}",
        d.message
    );
    let fix = d.fix.expect("a fix");
    assert_eq!(fix.replacement, format!("mean({src})"));
    let (m, _) = error("mean(onehot)");
    assert!(m.contains("does not depend on the model"), "{m}");
    let (m, _) = error("mean(detach(logits))");
    assert!(m.contains("does not depend"), "{m}");
}

#[test]
fn risky_division_and_log_warn_with_a_clamp_fix() {
    let src = "let w = sum(onehot, 1)\nsum(-w * gather(log_probs, target)) / sum(w)";
    let (d, t) = only(src, &Env::default());
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(t, "sum(w)");
    let fix = d.fix.expect("a fix");
    assert_eq!(fix.replacement, "clamp(sum(w), 1e-12)");
    let fixed = format!(
        "{}{}{}",
        &src[..fix.span.start],
        fix.replacement,
        &src[fix.span.end..]
    );
    assert!(analyze(&fixed, &Env::default()).diagnostics.is_empty());
    let (d, t) = only("mean(-log(1 - probs))", &Env::default());
    assert_eq!((d.severity, t.as_str()), (Severity::Warning, "1 - probs"));
    // Provably positive divisors are quiet.
    for ok in [
        "mean(logits / 2)",
        "mean(logits / (1 + exp(logits)))",
        "mean(-log(probs))",
    ] {
        assert!(analyze(ok, &Env::default()).diagnostics.is_empty(), "{ok}");
    }
    let (m, _) = error("mean(logits / 0)");
    assert!(m.contains("division by zero"));
}

#[test]
fn names_cannot_be_redefined_and_unused_ones_warn() {
    let (m, t) = error("let probs = 1\nmean(logits)");
    assert_eq!(t, "probs");
    assert!(m.contains("already defined as an input"), "{m}");
    let (m, _) = error("let exp = 1\nmean(logits)");
    assert!(m.contains("is a function"), "{m}");
    let (d, t) = only("let unused = logits\nmean(logits)", &Env::default());
    assert_eq!((d.severity, t.as_str()), (Severity::Warning, "unused"));
}

#[test]
fn errors_in_a_let_are_reported_once() {
    let a = analyze("let x = logitz\nmean(x * x + x)", &Env::default());
    assert_eq!(a.diagnostics.len(), 1, "{:#?}", a.diagnostics);
}

#[test]
fn sliders_have_ranges_and_values_are_checked() {
    let a = analyze("param g = 2 in 0..5\nmean(logits * g)", &Env::default());
    assert_eq!(a.params.len(), 1);
    assert_eq!((a.params[0].lo, a.params[0].hi), (0.0, 5.0));
    let loss = a.loss.expect("compiles");
    let x = Tensor::from_vec(vec![1.0f32; 6], [2, 3]).unwrap();
    let t = Tensor::from_vec(vec![0.0f32, 1.0], [2]).unwrap();
    let eval =
        |name: &str, v: f64| loss.evaluate(&Inputs::new(x.clone(), t.clone()).param(name, v));
    assert!((eval("g", 3.0).unwrap().item().unwrap() - 3.0).abs() < 1e-6);
    assert!(matches!(
        eval("g", 7.0),
        Err(LossError::ParamOutOfRange { .. })
    ));
    assert!(matches!(
        eval("h", 1.0),
        Err(LossError::UnknownParam { .. })
    ));
}

#[test]
fn inputs_are_validated_and_runtime_errors_carry_spans() {
    let loss = compile("mean(-gather(log_probs, target))", &Env::default()).unwrap();
    let x = Tensor::zeros([2, 3]);
    let bad = Tensor::from_vec(vec![0.0f32, 1.0, 2.0], [3]).unwrap();
    assert!(matches!(
        loss.evaluate(&Inputs::new(x.clone(), bad)),
        Err(LossError::BadInput { .. })
    ));
    let out_of_range = Tensor::from_vec(vec![0.0f32, 7.0], [2]).unwrap();
    match loss.evaluate(&Inputs::new(x, out_of_range)) {
        Err(LossError::Tensor { span, .. }) => assert!(span.end <= 32),
        other => panic!("expected a tensor error, got {other:?}"),
    }
}

#[test]
fn heads_features_and_grad_norm_follow_the_env() {
    let env = Env {
        features: true,
        heads: vec!["aux".into()],
        grad_wrt: false,
    };
    assert!(compile("mean(aux) + mean(features ^ 2)", &env).is_ok());
    let (d, _) = only("mean(grad_norm(logits))", &env);
    assert!(d.message.contains("does not provide"), "{}", d.message);
    let (m, _) = error("mean(grad_norm(grad_norm(logits)))");
    assert!(m.contains("nested"), "{m}");
}

#[test]
fn cost_is_bounded_before_evaluation() {
    let loss = compile("mean(softmax(logits * logits, 1))", &Env::default()).unwrap();
    let small = Sizes {
        batch: 8,
        classes: 10,
        features: 0,
    };
    assert!(loss.cost(small) < 10_000);
    let huge = Sizes {
        batch: 1 << 20,
        classes: 1 << 12,
        features: 0,
    };
    assert!(loss.cost(huge) > limits::MAX_COST);
}

#[test]
fn sources_over_the_limits_are_refused_with_a_span() {
    let long = format!("mean(logits){}", " ".repeat(limits::MAX_SOURCE_BYTES));
    let a = analyze(&long, &Env::default());
    assert!(a.has_errors());
    assert!(a.diagnostics[0].span.end <= long.len());
    let many = format!("{}mean(logits)", "let a = 1\n".repeat(limits::MAX_LETS + 1));
    assert!(analyze(&many, &Env::default()).has_errors());
}

#[test]
fn python_export_reads_like_torch() {
    let focal = PRESETS.iter().find(|p| p.name == "focal").unwrap();
    let py = to_python(compile(focal.source, &Env::default()).unwrap().program());
    assert!(py.contains("def loss_fn(logits, target, *, features=None, heads=None, wrt=None, class_weights=None, gamma=2.0):"), "{py}");
    assert!(
        py.contains("    log_probs = torch.log_softmax(logits, 1)\n"),
        "{py}"
    );
    assert!(
        py.contains("logpt = log_probs.gather(1, target.long().unsqueeze(1)).squeeze(1)"),
        "{py}"
    );
    assert!(
        py.contains("return _t(torch.mean(((-((1.0 - pt) ** gamma)) * logpt))).reshape(())"),
        "{py}"
    );
    let gp = PRESETS
        .iter()
        .find(|p| p.name == "gradient_penalty")
        .unwrap();
    let py = to_python(compile(gp.source, &Env::default()).unwrap().program());
    assert!(py.contains("lambda_=0.1"), "{py}");
    assert!(
        py.contains("torch.autograd.grad(v.sum(), wrt, create_graph=True"),
        "{py}"
    );
}
