//! Reproducible train/test splits and subsets: stratified by class (every class keeps its share)
//! and shuffled with a fixed seed, so every machine produces byte-identical files.

/// How many items of each class to take so that exactly `total` are taken, proportional to
/// `counts` (largest-remainder rounding; ties go to the lower class index).
pub fn quotas(counts: &[usize], total: usize) -> Vec<usize> {
    let all: usize = counts.iter().sum();
    if all == 0 {
        return vec![0; counts.len()];
    }
    let total = total.min(all);
    let mut q: Vec<usize> = counts.iter().map(|&c| c * total / all).collect();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    // Largest remainder first.
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i] * total % all));
    let mut missing = total - q.iter().sum::<usize>();
    for i in order {
        if missing == 0 {
            break;
        }
        if q[i] < counts[i] {
            q[i] += 1;
            missing -= 1;
        }
    }
    q
}

/// Splits item indices: the first `quota[c]` items of each class `c` (in file order) are
/// `taken`, the others are `rest`. Both keep file order.
pub fn stratified(labels: &[u8], classes: usize, take: usize) -> (Vec<usize>, Vec<usize>) {
    let mut counts = vec![0usize; classes];
    for &l in labels {
        counts[l as usize] += 1;
    }
    let mut left = quotas(&counts, take);
    let (mut taken, mut rest) = (Vec::new(), Vec::new());
    for (i, &l) in labels.iter().enumerate() {
        if left[l as usize] > 0 {
            left[l as usize] -= 1;
            taken.push(i);
        } else {
            rest.push(i);
        }
    }
    (taken, rest)
}

/// Fisher–Yates shuffle driven by SplitMix64, so the order is the same on every platform.
pub fn shuffle(items: &mut [usize], seed: u64) {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// The images (each `item` bytes) and labels at `idx`, in that order.
pub fn gather(images: &[u8], labels: &[u8], item: usize, idx: &[usize]) -> (Vec<u8>, Vec<u8>) {
    let mut out_images = Vec::with_capacity(idx.len() * item);
    let mut out_labels = Vec::with_capacity(idx.len());
    for &i in idx {
        out_images.extend_from_slice(&images[i * item..(i + 1) * item]);
        out_labels.push(labels[i]);
    }
    (out_images, out_labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_hit_the_total_exactly() {
        let mnist = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];
        let q = quotas(&mnist, 8000);
        assert_eq!(q.iter().sum::<usize>(), 8000);
        for (q, c) in q.iter().zip(mnist) {
            assert!((*q as f64 - c as f64 * 0.8).abs() < 1.0);
        }
        assert_eq!(quotas(&[6000; 10], 8000), vec![800; 10]);
        assert_eq!(quotas(&[1, 1, 1], 2).iter().sum::<usize>(), 2);
        assert_eq!(quotas(&[2, 0], 5), vec![2, 0]);
    }

    #[test]
    fn stratified_takes_first_of_each_class() {
        let labels = [0, 1, 0, 1, 0, 1, 1, 1];
        let (taken, rest) = stratified(&labels, 2, 4);
        // counts 3 and 5, quotas 2 and 2 (the tie on the remainder goes to class 0)
        assert_eq!(taken, [0, 1, 2, 3]);
        assert_eq!(rest, [4, 5, 6, 7]);
    }

    #[test]
    fn shuffle_is_a_fixed_permutation() {
        let mut a: Vec<usize> = (0..100).collect();
        let mut b = a.clone();
        shuffle(&mut a, 7);
        shuffle(&mut b, 7);
        assert_eq!(a, b);
        assert_ne!(a, (0..100).collect::<Vec<_>>());
        b.sort();
        assert_eq!(b, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn gather_picks_items() {
        let (im, lb) = gather(&[1, 1, 2, 2, 3, 3], &[7, 8, 9], 2, &[2, 0]);
        assert_eq!(im, [3, 3, 1, 1]);
        assert_eq!(lb, [9, 7]);
    }
}
