//! Lesson files to [`Lesson`]s: front matter (`id`, `number`, `title`, `summary`) between `---`
//! lines, then one `## ` section per step. Fenced blocks named `graph`, `conv`, `model`, `run`,
//! `quiz` and `check` become widgets and checks; everything else is CommonMark prose rendered
//! to HTML with pulldown-cmark.

use pulldown_cmark::{html, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::check::Check;
use super::conv_math::ConvSettings;
use super::document::{Lesson, Quiz, Step, Widget};
use super::error::LessonError;
use super::graph_program::GraphProgram;
use super::run::{LessonModel, LessonRun};

/// Block names the engine reads instead of rendering.
const BLOCKS: &[&str] = &[
    "graph",
    "conv",
    "model",
    "run",
    "quiz",
    "attention",
    "check",
];

/// Parses one lesson file.
pub fn parse_lesson(text: &str) -> Result<Lesson, LessonError> {
    let (front, body) = split_front_matter(text)?;
    let mut lesson = front;
    let mut steps: Vec<Step> = Vec::new();
    let mut prose: Vec<Event> = Vec::new();
    let mut heading: Option<String> = None;
    let mut block: Option<(String, String)> = None;
    let mut current: Option<Step> = None;

    let finish = |step: Option<Step>,
                  prose: &mut Vec<Event>,
                  steps: &mut Vec<Step>|
     -> Result<(), LessonError> {
        if let Some(mut step) = step {
            html::push_html(&mut step.html, prose.drain(..));
            let n = steps.len() + 1;
            validate_step(&step).map_err(|e| LessonError::InStep {
                step: n,
                title: step.title.clone(),
                source: Box::new(e),
            })?;
            steps.push(step);
        } else if prose
            .iter()
            .any(|e| !matches!(e, Event::SoftBreak | Event::HardBreak))
        {
            return Err(LessonError::ProseBeforeFirstStep);
        }
        Ok(())
    };

    for event in Parser::new_ext(body, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        if let Some(text) = heading.as_mut() {
            match event {
                Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                    let title = heading.take().unwrap_or_default().trim().to_string();
                    finish(current.take(), &mut prose, &mut steps)?;
                    current = Some(Step {
                        title,
                        html: String::new(),
                        widgets: Vec::new(),
                        checks: Vec::new(),
                    });
                }
                Event::Text(t) | Event::Code(t) => text.push_str(&t),
                _ => {}
            }
            continue;
        }
        if let Some((name, text)) = block.as_mut() {
            match event {
                Event::End(TagEnd::CodeBlock) => {
                    let (name, text) = block.take().unwrap_or_default();
                    let step = current.as_mut().ok_or(LessonError::ProseBeforeFirstStep)?;
                    let n = steps.len() + 1;
                    add_block(step, &name, &text).map_err(|e| LessonError::InStep {
                        step: n,
                        title: step.title.clone(),
                        source: Box::new(e),
                    })?;
                }
                Event::Text(t) => text.push_str(&t),
                _ => {
                    let _ = name;
                }
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => heading = Some(String::new()),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info))) => {
                let name = info.split_whitespace().next().unwrap_or("").to_string();
                if BLOCKS.contains(&name.as_str()) {
                    block = Some((name, String::new()));
                } else if name.starts_with("pg-") || name == "widget" {
                    return Err(LessonError::UnknownBlock(name));
                } else {
                    prose.push(event);
                }
            }
            other => prose.push(other),
        }
    }
    finish(current.take(), &mut prose, &mut steps)?;
    if steps.is_empty() {
        return Err(LessonError::NoSteps);
    }
    lesson.steps = steps;
    Ok(lesson)
}

fn split_front_matter(text: &str) -> Result<(Lesson, &str), LessonError> {
    let rest = text
        .strip_prefix("---\n")
        .ok_or(LessonError::NoFrontMatter)?;
    let end = rest.find("\n---\n").ok_or(LessonError::NoFrontMatter)?;
    let (front, body) = (&rest[..end], &rest[end + 5..]);
    let mut lesson = Lesson {
        id: String::new(),
        number: 0,
        title: String::new(),
        summary: String::new(),
        steps: Vec::new(),
    };
    let mut seen: Vec<&str> = Vec::new();
    for line in front.lines().filter(|l| !l.trim().is_empty()) {
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| LessonError::FrontMatter(format!("`{line}` is not `key: value`")))?;
        let (key, value) = (key.trim(), value.trim());
        if seen.contains(&key) {
            return Err(LessonError::FrontMatter(format!("`{key}` is given twice")));
        }
        seen.push(key);
        match key {
            "id" => lesson.id = value.to_string(),
            "number" => {
                lesson.number = value.parse().map_err(|_| {
                    LessonError::FrontMatter(format!("number `{value}` is not a whole number"))
                })?
            }
            "title" => lesson.title = value.to_string(),
            "summary" => lesson.summary = value.to_string(),
            other => return Err(LessonError::FrontMatter(format!("unknown key `{other}`"))),
        }
    }
    for (key, missing) in [
        ("id", lesson.id.is_empty()),
        ("title", lesson.title.is_empty()),
        ("summary", lesson.summary.is_empty()),
        ("number", lesson.number == 0),
    ] {
        if missing {
            return Err(LessonError::FrontMatter(format!("`{key}` is required")));
        }
    }
    if !lesson
        .id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(LessonError::FrontMatter(
            "id may hold only a-z, 0-9 and -".into(),
        ));
    }
    Ok((lesson, body))
}

fn add_block(step: &mut Step, name: &str, text: &str) -> Result<(), LessonError> {
    let widget = match name {
        "check" => {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                step.checks.push(Check::parse(line)?);
            }
            return Ok(());
        }
        "graph" => Widget::Graph(GraphProgram::parse(text)?),
        "conv" => Widget::Conv(ConvSettings::parse(text)?),
        "model" => Widget::Model(LessonModel::parse(text)?),
        "run" => Widget::Train(Box::new(LessonRun::parse(text)?)),
        "quiz" => Widget::Quiz(parse_quiz(text)?),
        "attention" => Widget::Attention(parse_attention(text)?),
        other => return Err(LessonError::UnknownBlock(other.to_string())),
    };
    if step.widgets.iter().any(|w| w.kind() == widget.kind()) {
        return Err(LessonError::Duplicate(widget.kind()));
    }
    step.widgets.push(widget);
    Ok(())
}

/// An `attention` block: empty, or `invert: true|false` (the default for the invert box).
fn parse_attention(text: &str) -> Result<bool, LessonError> {
    match text.trim() {
        "" | "invert: true" => Ok(true),
        "invert: false" => Ok(false),
        other => Err(LessonError::widget(
            "attention",
            format!("`{other}`: expected nothing or `invert: true|false`"),
        )),
    }
}

/// `? question`, then `- wrong` / `* right` choices, then `> explanation` lines.
fn parse_quiz(text: &str) -> Result<Quiz, LessonError> {
    let mut quiz = Quiz {
        question: String::new(),
        options: Vec::new(),
        answer: usize::MAX,
        explanation: String::new(),
    };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let join = |s: &mut String, t: &str| {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(t.trim());
        };
        if let Some(q) = line.strip_prefix('?') {
            join(&mut quiz.question, q);
        } else if let Some(o) = line.strip_prefix("- ") {
            quiz.options.push(o.trim().to_string());
        } else if let Some(o) = line.strip_prefix("* ") {
            if quiz.answer != usize::MAX {
                return Err(LessonError::widget(
                    "quiz",
                    "only one choice may be marked right with `*`",
                ));
            }
            quiz.answer = quiz.options.len();
            quiz.options.push(o.trim().to_string());
        } else if let Some(e) = line.strip_prefix('>') {
            join(&mut quiz.explanation, e);
        } else {
            return Err(LessonError::widget(
                "quiz",
                format!("`{line}` starts with none of ? - * >"),
            ));
        }
    }
    if quiz.question.is_empty()
        || quiz.options.len() < 2
        || quiz.answer == usize::MAX
        || quiz.explanation.is_empty()
    {
        return Err(LessonError::widget(
            "quiz",
            "needs a `?` question, two or more choices, one `*` right choice and a `>` explanation",
        ));
    }
    Ok(quiz)
}

fn validate_step(step: &Step) -> Result<(), LessonError> {
    if step.widgets.is_empty() {
        return Err(LessonError::NoWidget);
    }
    for check in &step.checks {
        let needs = check.metric.reported_by();
        if !step.widgets.iter().any(|w| needs.contains(&w.kind())) {
            return Err(LessonError::CheckWithoutWidget {
                check: check.to_string(),
                needs: needs.join("` or `"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "---\nid: sample\nnumber: 1\ntitle: Sample\nsummary: A sample.\n---\n\n## First\n\nSome *prose*.\n\n```python\nx = 1\n```\n\n```quiz\n? Two plus two?\n- 3\n* 4\n> Arithmetic.\n```\n\n```check\nquiz\n```\n\n## Second\n\n```conv\ninput: 1x28x28\nkernel: 3\n```\n";

    #[test]
    fn splits_steps_widgets_checks_and_prose() {
        let lesson = parse_lesson(SAMPLE).expect("parses");
        assert_eq!(lesson.id, "sample");
        assert_eq!(lesson.steps.len(), 2);
        let first = &lesson.steps[0];
        assert_eq!(first.title, "First");
        assert!(first.html.contains("<em>prose</em>"), "{}", first.html);
        assert!(
            first.html.contains("language-python"),
            "ordinary code stays prose"
        );
        assert!(matches!(&first.widgets[..], [Widget::Quiz(q)] if q.answer == 1));
        assert_eq!(first.checks.len(), 1);
    }

    #[test]
    fn reports_what_is_wrong_and_where() {
        assert_eq!(
            parse_lesson("# no front matter"),
            Err(LessonError::NoFrontMatter)
        );
        let no_widget = SAMPLE.replace("```conv\ninput: 1x28x28\nkernel: 3\n```\n", "just words\n");
        let err = parse_lesson(&no_widget).expect_err("step 2 has no widget");
        assert!(err.to_string().starts_with("step 2 (\"Second\")"), "{err}");
        let stray_check = SAMPLE.replace("```check\nquiz", "```check\naccuracy > 0.9");
        assert!(matches!(
            parse_lesson(&stray_check),
            Err(LessonError::InStep { source, .. }) if matches!(*source, LessonError::CheckWithoutWidget { .. })
        ));
    }
}
