//! Containers: [`Sequential`] (children named `0`, `1`, ... or by name, as in PyTorch) and a
//! generic [`Residual`] block.

use super::{Activation, Ctx, Module, NamedTensor};
use crate::error::Result;
use crate::tensor::Tensor;

/// `torch.nn.Sequential`: children run in order; their tensors are named `<child>.<tensor>`.
#[derive(Default)]
pub struct Sequential {
    children: Vec<(String, Box<dyn Module>)>,
}

impl std::fmt::Debug for Sequential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.children.iter().map(|(n, m)| (n, m.type_name())))
            .finish()
    }
}

impl Sequential {
    /// An empty container.
    pub fn new() -> Sequential {
        Sequential::default()
    }

    /// Appends a child named by its index (PyTorch's `nn.Sequential(a, b, ...)`).
    pub fn push(mut self, m: impl Module + 'static) -> Sequential {
        let name = self.children.len().to_string();
        self.children.push((name, Box::new(m)));
        self
    }

    /// Appends a boxed child named by its index.
    pub fn push_boxed(mut self, m: Box<dyn Module>) -> Sequential {
        let name = self.children.len().to_string();
        self.children.push((name, m));
        self
    }

    /// Appends a child with an explicit name (PyTorch's `OrderedDict` form, or
    /// torchvision's `add_module("denselayer1", ...)`).
    pub fn push_named(mut self, name: impl Into<String>, m: impl Module + 'static) -> Sequential {
        self.children.push((name.into(), Box::new(m)));
        self
    }

    /// Number of children.
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// Whether there are no children.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// Children with their names, for summaries.
    pub fn children(&self) -> impl Iterator<Item = (&str, &dyn Module)> {
        self.children.iter().map(|(n, m)| (n.as_str(), m.as_ref()))
    }
}

impl Module for Sequential {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let mut y = x.clone();
        for (name, m) in &self.children {
            y = ctx.child(name, |c| m.forward(&y, c))?;
        }
        Ok(y)
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        for (name, m) in &self.children {
            m.named_tensors(&format!("{prefix}{name}."), out);
        }
    }

    fn type_name(&self) -> &'static str {
        "Sequential"
    }
}

/// `act(body(x) + shortcut(x))` with an identity shortcut when none is given; the children are
/// named as given (`body`/`shortcut` by default).
pub struct Residual {
    pub body: Box<dyn Module>,
    pub shortcut: Option<Box<dyn Module>>,
    pub activation: Option<Activation>,
    pub names: [String; 2],
}

impl Residual {
    /// A residual connection around `body`.
    pub fn new(
        body: impl Module + 'static,
        shortcut: Option<Box<dyn Module>>,
        activation: Option<Activation>,
    ) -> Residual {
        Residual {
            body: Box::new(body),
            shortcut,
            activation,
            names: ["body".into(), "shortcut".into()],
        }
    }
}

impl Module for Residual {
    fn forward(&self, x: &Tensor, ctx: &mut Ctx) -> Result<Tensor> {
        let y = ctx.child(&self.names[0], |c| self.body.forward(x, c))?;
        let s = match &self.shortcut {
            Some(m) => ctx.child(&self.names[1], |c| m.forward(x, c))?,
            None => x.clone(),
        };
        let out = y.add(&s)?;
        match self.activation {
            Some(a) => a.apply(&out),
            None => Ok(out),
        }
    }

    fn named_tensors(&self, prefix: &str, out: &mut Vec<NamedTensor>) {
        self.body
            .named_tensors(&format!("{prefix}{}.", self.names[0]), out);
        if let Some(m) = &self.shortcut {
            m.named_tensors(&format!("{prefix}{}.", self.names[1]), out);
        }
    }

    fn type_name(&self) -> &'static str {
        "Residual"
    }
}
