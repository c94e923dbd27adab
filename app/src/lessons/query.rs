//! Questions lesson widgets ask the training worker, which holds the model zoo and autograd:
//! a computation graph's values and gradients, and a model's layer summary. The page sends a
//! [`LessonQuery`] and matches the [`LessonAnswer`] by its id.

use pixelgrad::models::{InputSpec, ModelSpec};
use pixelgrad::nn::{count_trainable, summary, LayerSummary};
use serde::{Deserialize, Serialize};

use super::attention::{attention_maps, AttentionImage, AttentionMaps, Trained};
use super::graph_eval::{evaluate, GraphReport};
use super::graph_program::GraphProgram;

/// A widget's question, with an id the answer repeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonQuery {
    /// Chosen by the page, unique per page load.
    pub id: u64,
    /// What is asked.
    pub ask: Ask,
}

/// What a widget can ask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ask {
    /// Evaluate a graph program (forward, backward, gradcheck).
    Graph {
        /// The program.
        program: GraphProgram,
    },
    /// Build a model and summarize it layer by layer.
    Summary {
        /// The model.
        model: ModelSpec,
        /// Its input.
        input: InputSpec,
        /// Its classes.
        classes: usize,
    },
    /// The current model's attention maps on a picture (a trained ViT).
    Attention {
        /// The picture.
        image: AttentionImage,
    },
}

/// A model's summary for the block diagram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    /// Every module, in execution order, with output shape, parameters and MACs.
    pub layers: Vec<LayerSummary>,
    /// Trainable parameters in all.
    pub parameters: usize,
    /// Multiply-accumulates per image in all.
    pub macs: u64,
}

/// The worker's reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// A graph's report.
    Graph(GraphReport),
    /// A model's summary.
    Summary(ModelSummary),
    /// A ViT's attention maps.
    Attention(AttentionMaps),
    /// The question could not be answered, in words.
    Failed {
        /// Why.
        message: String,
    },
}

/// The reply to query `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonAnswer {
    /// The query's id.
    pub id: u64,
    /// The answer.
    pub answer: Answer,
}

/// Answers a query (in the worker; natively in tests).
pub fn answer(query: LessonQuery) -> LessonAnswer {
    let answer = match query.ask {
        Ask::Graph { program } => evaluate(&program).map(Answer::Graph),
        Ask::Summary {
            model,
            input,
            classes,
        } => summarize(&model, input, classes).map(Answer::Summary),
        Ask::Attention { .. } => Err("attention maps need the current model".into()),
    };
    LessonAnswer {
        id: query.id,
        answer: answer.unwrap_or_else(|message| Answer::Failed { message }),
    }
}

/// Answers a query that may need the current model (`current`: its spec and network).
pub async fn answer_with_model(
    query: LessonQuery,
    current: Option<(&pixelgrad::io::RunSpec, &pixelgrad::models::Model)>,
) -> LessonAnswer {
    let Ask::Attention { image } = &query.ask else {
        return answer(query);
    };
    let answer = match current {
        None => Err("there is no trained model yet: train this lesson's ViT first".to_string()),
        Some((spec, model)) => attention_maps(Trained { spec, model }, image).await,
    };
    LessonAnswer {
        id: query.id,
        answer: answer
            .map(Answer::Attention)
            .unwrap_or_else(|message| Answer::Failed { message }),
    }
}

/// Whether no other row of the summary contains `layer` (an ensemble's top rows are
/// `members.0`, ..., so a dot alone does not tell).
pub fn is_top(layer: &LayerSummary, layers: &[LayerSummary]) -> bool {
    !layers
        .iter()
        .any(|p| p.name != layer.name && layer.name.starts_with(&format!("{}.", p.name)))
}

/// Builds `model` for `input` and summarizes it; total MACs are the top-level modules' sum.
pub fn summarize(
    model: &ModelSpec,
    input: InputSpec,
    classes: usize,
) -> Result<ModelSummary, String> {
    let built = model.build(input, classes, 0).map_err(|e| {
        format!(
            "the model cannot be built for {}×{}×{} images: {e}",
            input.channels, input.height, input.width
        )
    })?;
    let layers = summary(&built, &input.dims()).map_err(|e| e.to_string())?;
    let macs = layers
        .iter()
        .filter(|l| is_top(l, &layers))
        .map(|l| l.macs)
        .sum();
    Ok(ModelSummary {
        parameters: count_trainable(&built),
        macs,
        layers,
    })
}
