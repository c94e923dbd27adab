//! Checks that unlock a step's "Next": `accuracy > 0.9`, `output_shape == [1,6,7,7]`,
//! `quiz`, ... Parsed from a lesson's ```` ```check ```` block (one per line), evaluated against
//! what the step's widgets observed.

use std::fmt;

use super::error::LessonError;

/// A quantity a widget reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Latest held-out accuracy of the step's run, in `[0, 1]`.
    Accuracy,
    /// Latest training loss of the step's run.
    Loss,
    /// Optimizer steps the step's run has taken.
    Steps,
    /// The conv explorer's output shape (`[N, C, H, W]`).
    OutputShape,
    /// Parameters of the conv explorer's layer, or of the step's model.
    Params,
    /// Multiply-accumulates per sample of the step's model.
    Macs,
    /// The graph widget's worst relative gradient-check error.
    GradcheckError,
    /// Whether the step's quiz was answered correctly.
    Quiz,
    /// Whether the step's run trained to its last step (its budget, or early stopping).
    Finished,
    /// Whether the step's run trained with a loss written in the loss editor.
    CustomLoss,
    /// Whether the attention widget has shown a ViT's maps on a picture.
    AttentionMaps,
}

impl Metric {
    fn parse(name: &str) -> Option<Metric> {
        Some(match name {
            "accuracy" | "val_accuracy" => Metric::Accuracy,
            "loss" => Metric::Loss,
            "steps" => Metric::Steps,
            "output_shape" => Metric::OutputShape,
            "params" => Metric::Params,
            "macs" => Metric::Macs,
            "gradcheck_error" => Metric::GradcheckError,
            "quiz" => Metric::Quiz,
            "finished" => Metric::Finished,
            "custom_loss" => Metric::CustomLoss,
            "attention_maps" => Metric::AttentionMaps,
            _ => return None,
        })
    }

    /// The widget kinds (fenced-block names) that report this metric.
    pub fn reported_by(self) -> &'static [&'static str] {
        match self {
            Metric::Accuracy
            | Metric::Loss
            | Metric::Steps
            | Metric::Finished
            | Metric::CustomLoss => &["run"],
            Metric::AttentionMaps => &["attention"],
            Metric::OutputShape => &["conv"],
            Metric::Params => &["conv", "model"],
            Metric::Macs => &["model"],
            Metric::GradcheckError => &["graph"],
            Metric::Quiz => &["quiz"],
        }
    }

    /// How the metric reads in a sentence.
    fn words(self) -> &'static str {
        match self {
            Metric::Accuracy => "validation accuracy",
            Metric::Loss => "training loss",
            Metric::Steps => "training steps",
            Metric::OutputShape => "output shape",
            Metric::Params => "parameters",
            Metric::Macs => "multiply-accumulates",
            Metric::GradcheckError => "gradient-check error",
            Metric::Quiz => "quiz",
            Metric::Finished => "training run to its end",
            Metric::CustomLoss => "custom loss",
            Metric::AttentionMaps => "attention maps",
        }
    }
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
}

impl Cmp {
    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Cmp::Gt => left > right,
            Cmp::Ge => left >= right,
            Cmp::Lt => left < right,
            Cmp::Le => left <= right,
            Cmp::Eq => (left - right).abs() <= 1e-9 * right.abs().max(1.0),
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Ge => "≥",
            Cmp::Lt => "<",
            Cmp::Le => "≤",
            Cmp::Eq => "=",
        }
    }
}

/// The right-hand side of a check.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A number.
    Number(f64),
    /// A shape (`[1, 6, 7, 7]`).
    Shape(Vec<usize>),
    /// Nothing: the metric is a yes/no (`quiz`).
    Yes,
}

/// One condition on one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What is measured.
    pub metric: Metric,
    /// How it is compared.
    pub cmp: Cmp,
    /// Against what.
    pub target: Target,
}

/// What the step's widgets have observed so far; `None` where nothing was measured yet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    pub accuracy: Option<f64>,
    pub loss: Option<f64>,
    pub steps: Option<f64>,
    pub output_shape: Option<Vec<usize>>,
    pub params: Option<f64>,
    pub macs: Option<f64>,
    pub gradcheck_error: Option<f64>,
    pub quiz: Option<bool>,
    pub finished: Option<bool>,
    pub custom_loss: Option<bool>,
    pub attention_maps: Option<bool>,
}

impl Check {
    /// Parses one line of a check block.
    pub fn parse(line: &str) -> Result<Check, LessonError> {
        let bad = |why: &str| LessonError::Check {
            text: line.to_string(),
            why: why.to_string(),
        };
        let line = line.trim();
        let name_end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(line.len());
        let (name, rest) = line.split_at(name_end);
        let metric = Metric::parse(name).ok_or_else(|| {
            bad("unknown quantity (accuracy, loss, steps, output_shape, params, macs, gradcheck_error, quiz, finished, custom_loss, attention_maps)")
        })?;
        let rest = rest.trim();
        if matches!(
            metric,
            Metric::Quiz | Metric::Finished | Metric::CustomLoss | Metric::AttentionMaps
        ) {
            return if rest.is_empty() {
                Ok(Check {
                    metric,
                    cmp: Cmp::Eq,
                    target: Target::Yes,
                })
            } else {
                Err(bad(&format!("`{name}` takes no comparison")))
            };
        }
        let (cmp, value) = [
            (">=", Cmp::Ge),
            ("<=", Cmp::Le),
            ("==", Cmp::Eq),
            (">", Cmp::Gt),
            ("<", Cmp::Lt),
        ]
        .into_iter()
        .find_map(|(sym, cmp)| rest.strip_prefix(sym).map(|v| (cmp, v.trim())))
        .ok_or_else(|| bad("expected one of > >= < <= == after the quantity"))?;
        let target = if metric == Metric::OutputShape {
            if cmp != Cmp::Eq {
                return Err(bad("a shape can only be compared with =="));
            }
            Target::Shape(
                parse_shape(value).ok_or_else(|| bad("expected a shape like [1, 6, 7, 7]"))?,
            )
        } else {
            let number: f64 = value
                .parse()
                .map_err(|_| bad("expected a number after the comparison"))?;
            if !number.is_finite() {
                return Err(bad("the target must be finite"));
            }
            Target::Number(number)
        };
        Ok(Check {
            metric,
            cmp,
            target,
        })
    }

    /// Whether the check holds for what was observed; `false` until the metric is measured.
    pub fn passes(&self, seen: &Observed) -> bool {
        let number = |v: Option<f64>| match (&self.target, v) {
            (Target::Number(t), Some(v)) => self.cmp.holds(v, *t),
            _ => false,
        };
        match self.metric {
            Metric::Accuracy => number(seen.accuracy),
            Metric::Loss => number(seen.loss),
            Metric::Steps => number(seen.steps),
            Metric::Params => number(seen.params),
            Metric::Macs => number(seen.macs),
            Metric::GradcheckError => number(seen.gradcheck_error),
            Metric::OutputShape => match (&self.target, &seen.output_shape) {
                (Target::Shape(t), Some(s)) => t == s,
                _ => false,
            },
            Metric::Quiz => seen.quiz == Some(true),
            Metric::Finished => seen.finished == Some(true),
            Metric::CustomLoss => seen.custom_loss == Some(true),
            Metric::AttentionMaps => seen.attention_maps == Some(true),
        }
    }
}

impl fmt::Display for Check {
    /// The check as a goal for the learner: "validation accuracy > 90%".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.metric, &self.target) {
            (Metric::Quiz, _) => write!(f, "answer the quiz correctly"),
            (Metric::Finished, _) => write!(f, "train the run to its end"),
            (Metric::CustomLoss, _) => write!(f, "train with a loss you wrote"),
            (Metric::AttentionMaps, _) => write!(f, "see the attention maps of a picture of yours"),
            (Metric::Accuracy, Target::Number(t)) => {
                write!(
                    f,
                    "{} {} {}%",
                    self.metric.words(),
                    self.cmp.symbol(),
                    t * 100.0
                )
            }
            (_, Target::Shape(s)) => {
                let dims: Vec<String> = s.iter().map(usize::to_string).collect();
                write!(
                    f,
                    "{} {} [{}]",
                    self.metric.words(),
                    self.cmp.symbol(),
                    dims.join(", ")
                )
            }
            (_, Target::Number(t)) => {
                write!(f, "{} {} {t}", self.metric.words(), self.cmp.symbol())
            }
            (_, Target::Yes) => write!(f, "{}", self.metric.words()),
        }
    }
}

fn parse_shape(text: &str) -> Option<Vec<usize>> {
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    inner
        .split(',')
        .map(|d| d.trim().parse::<usize>().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_evaluates_the_forms_lessons_use() {
        let acc = Check::parse("val_accuracy > 0.95").expect("parses");
        assert!(!acc.passes(&Observed::default()));
        let seen = |a| Observed {
            accuracy: Some(a),
            ..Observed::default()
        };
        assert!(acc.passes(&seen(0.96)));
        assert!(!acc.passes(&seen(0.95)));
        let shape = Check::parse("output_shape == [1, 6, 7,7]").expect("parses");
        let with_shape = |s: Vec<usize>| Observed {
            output_shape: Some(s),
            ..Observed::default()
        };
        assert!(shape.passes(&with_shape(vec![1, 6, 7, 7])));
        assert!(!shape.passes(&with_shape(vec![1, 6, 14, 14])));
        assert!(Check::parse("quiz").expect("parses").passes(&Observed {
            quiz: Some(true),
            ..Observed::default()
        }));
        assert_eq!(acc.to_string(), "validation accuracy > 95%");
        let finished = Check::parse("finished").expect("parses");
        assert!(!finished.passes(&Observed {
            steps: Some(600.0),
            ..Observed::default()
        }));
        assert!(finished.passes(&Observed {
            finished: Some(true),
            ..Observed::default()
        }));
    }

    #[test]
    fn rejects_malformed_checks() {
        for bad in [
            "acuracy > 0.9",
            "accuracy 0.9",
            "accuracy > lots",
            "output_shape > [1]",
            "output_shape == [1, x]",
            "quiz == 1",
            "finished > 0",
            "loss < inf",
        ] {
            assert!(Check::parse(bad).is_err(), "{bad} should not parse");
        }
    }
}
