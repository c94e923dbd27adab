//! The loss menu: each preset is ordinary loss-language source, so users can open one, read
//! it and edit it. Tests check each against the core's built-in loss or an independent
//! reference.

/// A named loss the editor offers.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Stable id (used in links and tests).
    pub name: &'static str,
    /// One line for the menu.
    pub description: &'static str,
    /// The loss-language source, shown in the editor.
    pub source: &'static str,
    /// Output heads the preset names (the model must have them).
    pub heads: &'static [&'static str],
}

/// Every preset, in menu order.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "cross_entropy",
        description: "Cross-entropy: minus the log-probability of the right class",
        source: "# F.cross_entropy(logits, target)\nmean(-gather(log_probs, target))\n",
        heads: &[],
    },
    Preset {
        name: "weighted_cross_entropy",
        description: "Cross-entropy with per-class weights (rare classes count more)",
        source: "# F.cross_entropy(logits, target, weight=class_weights)\n\
                 let w = sum(onehot * class_weights, 1)   # each sample's class weight\n\
                 sum(-w * gather(log_probs, target)) / clamp(sum(w), 1e-12)\n",
        heads: &[],
    },
    Preset {
        name: "focal",
        description: "Focal loss: down-weights easy, confident examples by (1 - p)^gamma",
        source: "param gamma = 2.0 in 0..5\n\
                 let logpt = gather(log_probs, target)\n\
                 let pt = exp(logpt)\n\
                 mean(-(1 - pt)^gamma * logpt)\n",
        heads: &[],
    },
    Preset {
        name: "label_smoothing",
        description: "Cross-entropy against targets smoothed towards uniform by eps",
        source: "# F.cross_entropy(logits, target, label_smoothing=eps)\n\
                 param eps = 0.1 in 0..1\n\
                 mean(-(1 - eps) * gather(log_probs, target) - eps * mean(log_probs, 1))\n",
        heads: &[],
    },
    Preset {
        name: "mse_onehot",
        description: "Squared error between the probabilities and the one-hot target",
        source: "# F.mse_loss(softmax(logits), one_hot(target))\nmean((probs - onehot)^2)\n",
        heads: &[],
    },
    Preset {
        name: "hinge",
        description: "Multi-class hinge: the right class should win by a margin",
        source: "# F.multi_margin_loss(logits, target, margin=margin)\n\
                 param margin = 1.0 in 0..5\n\
                 let correct = sum(logits * onehot, 1, true)   # [B, 1]\n\
                 mean(relu(margin - correct + logits) * (1 - onehot))\n",
        heads: &[],
    },
    Preset {
        name: "multi_task",
        description: "Weighted sum of the main head's and an auxiliary head's cross-entropy",
        source: "param aux_weight = 0.4 in 0..1\n\
                 let main_ce = mean(-gather(log_probs, target))\n\
                 let aux_ce = mean(-gather(log_softmax(aux, 1), target))\n\
                 main_ce + aux_weight * aux_ce\n",
        heads: &["aux"],
    },
    Preset {
        name: "gradient_penalty",
        description: "Cross-entropy plus the squared norm of its gradient w.r.t. the input",
        source: "param lambda = 0.1 in 0..10\n\
                 let ce = -gather(log_probs, target)   # [B] per-sample losses\n\
                 mean(ce) + lambda * mean(grad_norm(ce)^2)\n",
        heads: &[],
    },
];

impl Preset {
    /// The preset called `name`.
    pub fn get(name: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.name == name)
    }
}
