//! How many images each class has, how they split into training and validation, and what to
//! fix before training (a class with too few images, a lopsided set).

use leptos::prelude::*;

use crate::components::bar::Bar;
use pixelgrad::data::Dataset;

use super::store::UserData;

/// Validation shares offered.
const SPLITS: [(f64, &str); 4] = [(0.1, "10%"), (0.2, "20%"), (0.3, "30%"), (0.5, "50%")];
/// Below this many images a class cannot be learned or checked.
pub const MIN_PER_CLASS: usize = 4;

/// Training and validation counts of one class, as the stratified split will make them.
pub fn split_counts(count: usize, val_fraction: f64) -> (usize, usize) {
    let val = (count as f64 * val_fraction).round() as usize;
    (count - val.min(count), val.min(count))
}

/// What stops training, in words, or `None` when the data is ready.
pub fn readiness(counts: &[usize], names: &[String]) -> Option<String> {
    let filled = counts.iter().filter(|&&c| c > 0).count();
    if filled < 2 {
        return Some("Add images to at least two classes to train.".into());
    }
    counts
        .iter()
        .zip(names)
        .find(|(&c, _)| c > 0 && c < MIN_PER_CLASS)
        .map(|(c, name)| {
            format!("\"{name}\" has {c} image(s); give every class at least {MIN_PER_CLASS}.")
        })
}

/// The class balance and the validation split.
#[component]
pub fn BalanceView() -> impl IntoView {
    let data = UserData::use_or_provide();
    let rows = move || {
        let fraction = data.val_fraction.get();
        data.store.with(|s| {
            let counts = s.set.class_counts();
            let largest = counts.iter().copied().max().unwrap_or(0).max(1);
            s.set
                .classes()
                .iter()
                .zip(counts)
                .map(|(name, count)| {
                    let (train, val) = split_counts(count, fraction);
                    let scale = 100.0 / largest as f64;
                    (
                        name.clone(),
                        count,
                        train as f64 * scale,
                        val as f64 * scale,
                        train,
                        val,
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let summary = move || {
        let fraction = data.val_fraction.get();
        data.store.with(|s| {
            let counts = s.set.class_counts();
            let (train, val) = counts.iter().fold((0, 0), |(t, v), &c| {
                let (ct, cv) = split_counts(c, fraction);
                (t + ct, v + cv)
            });
            let lopsided = counts.iter().filter(|&&c| c > 0).min().zip(counts.iter().max())
                .filter(|(&min, &max)| max >= 3 * min)
                .map(|_| "Some classes have three times as many images as others: the model will lean towards them.".to_string());
            (train, val, readiness(&counts, s.set.classes()), lopsided)
        })
    };
    view! {
        <section class="balance-view" aria-labelledby="balance-title" data-testid="balance-view">
            <h3 id="balance-title">"Class balance and validation split"</h3>
            <ul class="balance split-balance">
                {move || rows().into_iter().map(|(name, count, train_pct, val_pct, train, val)| view! {
                    <li title=format!("{train} for training, {val} for validation")>
                        <span class="bar-label">{name}</span>
                        <span class="split-bars">
                            <Bar percent=train_pct class="bar" />
                            <Bar percent=val_pct class="bar bar-val" />
                        </span>
                        <span class="bar-count">{count}</span>
                    </li>
                }).collect_view()}
            </ul>
            <div class="split-row">
                <label>"Validation share "
                    <select data-testid="val-fraction" on:change=move |e| {
                        if let Ok(v) = event_target_value(&e).parse::<f64>() { data.val_fraction.set(v) }
                    }>
                        {SPLITS.iter().map(|&(v, text)| view! {
                            <option value=v.to_string() selected=move || (data.val_fraction.get() - v).abs() < 1e-9>{text}</option>
                        }).collect_view()}
                    </select>
                </label>
                <span class="legend"><span class="swatch"></span>" training "<span class="swatch swatch-val"></span>" validation"</span>
            </div>
            {move || {
                let (train, val, blocker, lopsided) = summary();
                view! {
                    <p data-testid="split-summary">{format!("{train} images for training, {val} held out for validation (the same share of every class).")}</p>
                    {blocker.map(|b| view! { <p class="warn" data-testid="not-ready">{b}</p> })}
                    {lopsided.map(|l| view! { <p class="detail">{l}</p> })}
                }
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_readiness() {
        assert_eq!(split_counts(10, 0.2), (8, 2));
        // 0.6 rounds to one held-out image, as `train_val_split` makes it.
        assert_eq!(split_counts(3, 0.2), (2, 1));
        assert_eq!(split_counts(0, 0.5), (0, 0));
        let names = vec!["a".to_string(), "b".to_string()];
        assert!(readiness(&[5, 0], &names).is_some());
        assert!(readiness(&[5, 2], &names).unwrap().contains("\"b\""));
        assert_eq!(readiness(&[5, 4], &names), None);
    }
}
