//! Native CPU benchmark of pixelgrad: a LeNet-5 training step (batch 64, SGD momentum 0.9,
//! lr 0.01) and a 1024^3 matmul, on the same mulberry32 data and weights as the peer harness
//! (`tests/bench/torch_cpu.py`), so the first loss must be 2.3265. Prints one JSON object.
//!
//! Usage: `bench_cpu [--W warmup] [--N timed]` (defaults 5 and 30, like the peers).

use std::time::Instant;

use pixelgrad::{no_grad, Conv2dParams, CrossEntropyOptions, Pool2dParams, Result, Tensor};

/// The peers' seeded generator, bit for bit (JS `Math.imul` semantics).
fn mulberry32(seed: u32) -> impl FnMut() -> f64 {
    let mut a = seed;
    move || {
        a = a.wrapping_add(0x6D2B_79F5);
        let mut t = (a ^ (a >> 15)).wrapping_mul(1 | a);
        t = (t.wrapping_add((t ^ (t >> 7)).wrapping_mul(61 | t))) ^ t;
        f64::from(t ^ (t >> 14)) / 4_294_967_296.0
    }
}

fn fill(g: &mut impl FnMut() -> f64, n: usize, lo: f64, hi: f64) -> Vec<f32> {
    (0..n).map(|_| (lo + (hi - lo) * g()) as f32).collect()
}

fn param(g: &mut impl FnMut() -> f64, shape: &[usize], fan_in: usize) -> Result<Tensor> {
    let b = 1.0 / (fan_in as f64).sqrt();
    let n = shape.iter().product();
    Tensor::from_vec(fill(g, n, -b, b), shape.to_vec())?.requires_grad_()
}

/// Which network a [`Net`] runs.
#[derive(Clone, Copy, PartialEq)]
enum Arch {
    LeNet,
    Mlp,
}

/// A network with its fixed batch and SGD momentum buffers.
struct Net {
    arch: Arch,
    params: Vec<Tensor>,
    velocity: Vec<Option<Tensor>>,
    x: Tensor,
    y: Tensor,
}

impl Net {
    /// Data and weights exactly as `mlpData()` in the peers' common.js (784-256-256-10, b128).
    fn mlp() -> Result<Net> {
        let b = 128;
        let mut g = mulberry32(43);
        let x = Tensor::from_vec(fill(&mut g, b * 784, 0.0, 1.0), [b, 784])?;
        let y: Vec<f32> = (0..b).map(|_| (g() * 10.0).floor() as f32).collect();
        let y = Tensor::from_vec(y, [b])?;
        let spec: [(&[usize], usize); 6] = [
            (&[784, 256], 784),
            (&[256], 784),
            (&[256, 256], 256),
            (&[256], 256),
            (&[256, 10], 256),
            (&[10], 256),
        ];
        let params = spec
            .iter()
            .map(|(s, f)| param(&mut g, s, *f))
            .collect::<Result<Vec<_>>>()?;
        Ok(Net {
            arch: Arch::Mlp,
            velocity: vec![None; params.len()],
            params,
            x,
            y,
        })
    }

    /// Data and weights exactly as `lenetData()` in the peers' common.js.
    fn lenet() -> Result<Net> {
        let b = 64;
        let mut g = mulberry32(42);
        let x = Tensor::from_vec(fill(&mut g, b * 784, 0.0, 1.0), [b, 1, 28, 28])?;
        let y: Vec<f32> = (0..b).map(|_| (g() * 10.0).floor() as f32).collect();
        let y = Tensor::from_vec(y, [b])?;
        let spec: [(&[usize], usize); 10] = [
            (&[6, 1, 5, 5], 25),
            (&[6], 25),
            (&[16, 6, 5, 5], 150),
            (&[16], 150),
            (&[400, 120], 400),
            (&[120], 400),
            (&[120, 84], 120),
            (&[84], 120),
            (&[84, 10], 84),
            (&[10], 84),
        ];
        let params = spec
            .iter()
            .map(|(s, f)| param(&mut g, s, *f))
            .collect::<Result<Vec<_>>>()?;
        Ok(Net {
            arch: Arch::LeNet,
            velocity: vec![None; params.len()],
            params,
            x,
            y,
        })
    }

    fn forward(&self) -> Result<Tensor> {
        let p = &self.params;
        if self.arch == Arch::Mlp {
            let h = self.x.matmul(&p[0])?.add(&p[1])?.relu()?;
            let h = h.matmul(&p[2])?.add(&p[3])?.relu()?;
            return h.matmul(&p[4])?.add(&p[5]);
        }
        let pool = Pool2dParams::square(2);
        let pad2 = Conv2dParams {
            padding: [2, 2],
            ..Conv2dParams::default()
        };
        let h = self
            .x
            .conv2d(&p[0], Some(&p[1]), pad2)?
            .relu()?
            .max_pool2d(pool)?;
        let h = h
            .conv2d(&p[2], Some(&p[3]), Conv2dParams::default())?
            .relu()?
            .max_pool2d(pool)?;
        let h = h.flatten(1, -1)?;
        let h = h.matmul(&p[4])?.add(&p[5])?.relu()?;
        let h = h.matmul(&p[6])?.add(&p[7])?.relu()?;
        h.matmul(&p[8])?.add(&p[9])
    }

    /// forward + cross-entropy + backward + SGD(momentum 0.9, lr 0.01, torch semantics) + loss read.
    fn step(&mut self) -> Result<f64> {
        for p in &self.params {
            p.zero_grad();
        }
        let loss = self
            .forward()?
            .cross_entropy(&self.y, &CrossEntropyOptions::default())?;
        loss.backward()?;
        no_grad(|| -> Result<()> {
            for (p, v) in self.params.iter().zip(self.velocity.iter_mut()) {
                let Some(g) = p.grad() else { continue };
                let buf = match v.take() {
                    Some(prev) => prev.mul_scalar(0.9)?.add(&g)?,
                    None => g,
                };
                p.set_data(&p.sub(&buf.mul_scalar(0.01)?)?)?;
                *v = Some(buf);
            }
            Ok(())
        })?;
        loss.item()
    }
}

struct Timing {
    warmup_ms: Vec<f64>,
    times_ms: Vec<f64>,
    losses: Vec<f64>,
    /// Process CPU time (all threads) per timed step: unlike wall time, other processes
    /// competing for the cores do not inflate it.
    cpu_ms_per_step: Option<f64>,
}

/// User + system CPU time of this process in ms, from /proc (Linux only).
fn process_cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0) // USER_HZ is 100 on Linux
}

fn time_steps(mut f: impl FnMut() -> Result<f64>, w: usize, n: usize) -> Result<Timing> {
    let mut t = Timing {
        warmup_ms: vec![],
        times_ms: vec![],
        losses: vec![],
        cpu_ms_per_step: None,
    };
    let mut cpu0 = None;
    for i in 0..w + n {
        if i == w {
            cpu0 = process_cpu_ms();
        }
        let t0 = Instant::now();
        let loss = f()?;
        let ms = t0.elapsed().as_secs_f64() * 1e3;
        t.losses.push(loss);
        if i < w {
            t.warmup_ms.push(ms);
        } else {
            t.times_ms.push(ms);
        }
    }
    t.cpu_ms_per_step = cpu0
        .zip(process_cpu_ms())
        .map(|(a, b)| (b - a) / n.max(1) as f64);
    Ok(t)
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn json_list(v: &[f64]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:.6}")).collect();
    format!("[{}]", items.join(","))
}

fn result_json(workload: &str, t: &Timing, extra: &str) -> String {
    format!(
        "{{\"lib\":\"pixelgrad\",\"backend\":\"cpu-native\",\"workload\":\"{workload}\",\"median_ms\":{:.4},\"min_ms\":{:.4},\"n_timed\":{},\"cpu_ms_per_step\":{},\"warmup_ms\":{},\"times_ms\":{},\"losses\":{}{extra}}}",
        median(&t.times_ms),
        t.times_ms.iter().cloned().fold(f64::INFINITY, f64::min),
        t.times_ms.len(),
        t.cpu_ms_per_step.map_or("null".to_string(), |c| format!("{c:.3}")),
        json_list(&t.warmup_ms),
        json_list(&t.times_ms),
        json_list(&t.losses),
    )
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (w, n) = (arg(&args, "--W", 5), arg(&args, "--N", 30));
    let work = args
        .iter()
        .position(|a| a == "--work")
        .and_then(|i| args.get(i + 1))
        .map_or("lenet,mlp,matmul", String::as_str);
    let mut results = Vec::new();
    if work.contains("micro") {
        let mut rng = pixelgrad::Rng::new(1);
        let x = Tensor::randn([64, 6, 28, 28], &mut rng);
        let xg = x.detach().requires_grad_()?;
        let yg = xg.max_pool2d(Pool2dParams::square(2))?;
        let gy = Tensor::randn(yg.dims().to_vec(), &mut rng);
        let loss = yg.mul(&gy)?.sum_all()?;
        let x1 = Tensor::rand([64, 1, 28, 28], &mut rng);
        let w1 = Tensor::randn([6, 1, 5, 5], &mut rng).requires_grad_()?;
        let h2 = Tensor::randn([64, 6, 14, 14], &mut rng).requires_grad_()?;
        let w2 = Tensor::randn([16, 6, 5, 5], &mut rng).requires_grad_()?;
        let p2 = Conv2dParams {
            padding: [2, 2],
            ..Conv2dParams::default()
        };
        let y1 = x1.conv2d(&w1, None, p2)?;
        let l1 = y1
            .mul(&Tensor::randn(y1.dims().to_vec(), &mut rng))?
            .sum_all()?;
        let y2 = h2.conv2d(&w2, None, Conv2dParams::default())?;
        let l2 = y2
            .mul(&Tensor::randn(y2.dims().to_vec(), &mut rng))?
            .sum_all()?;
        for name in [
            "pool", "relu", "scatter", "c1f", "c2f", "c1bw", "c2b", "c1f", "c2f", "c1bw", "c2b",
        ] {
            let t0 = Instant::now();
            for _ in 0..100 {
                let y = match name {
                    "pool" => x.max_pool2d(Pool2dParams::square(2))?,
                    "c1f" => x1.conv2d(&w1, None, p2)?,
                    "c2f" => h2.conv2d(&w2, None, Conv2dParams::default())?,
                    "c1bw" => pixelgrad::grad(
                        std::slice::from_ref(&l1),
                        std::slice::from_ref(&w1),
                        false,
                    )?
                    .remove(0),
                    "c2b" => pixelgrad::grad(
                        std::slice::from_ref(&l2),
                        &[h2.clone(), w2.clone()],
                        false,
                    )?
                    .remove(0),
                    "scatter" => pixelgrad::grad(
                        std::slice::from_ref(&loss),
                        std::slice::from_ref(&xg),
                        false,
                    )?
                    .remove(0),
                    _ => x.relu()?,
                };
                std::hint::black_box(y);
            }
            eprintln!("{name}: {:.3} ms", t0.elapsed().as_secs_f64() * 10.0);
        }
    }
    if work.contains("lenet") {
        results.push(bench_net("lenet", Net::lenet()?, w, n)?);
    }
    if work.contains("mlp") {
        results.push(bench_net("mlp", Net::mlp()?, w, n)?);
    }
    if work.contains("matmul") {
        results.push(bench_matmul(w, n)?);
    }
    println!(
        "{{\"lib\":\"pixelgrad\",\"results\":[{}]}}",
        results.join(",")
    );
    Ok(())
}

fn bench_net(name: &str, mut net: Net, w: usize, n: usize) -> Result<String> {
    let t = time_steps(|| net.step(), w, n)?;
    let decreased = t.losses.last() < t.losses.first();
    eprintln!(
        "{name}: median {:.3} ms (cpu {:.2} ms/step)  loss {:.4} -> {:.4}",
        median(&t.times_ms),
        t.cpu_ms_per_step.unwrap_or(f64::NAN),
        t.losses[0],
        t.losses[t.losses.len() - 1]
    );
    Ok(result_json(
        name,
        &t,
        &format!(",\"loss_decreased\":{decreased}"),
    ))
}

fn bench_matmul(w: usize, n: usize) -> Result<String> {
    let mut g = mulberry32(44);
    let a = Tensor::from_vec(fill(&mut g, 1024 * 1024, -1.0, 1.0), [1024, 1024])?;
    let b = Tensor::from_vec(fill(&mut g, 1024 * 1024, -1.0, 1.0), [1024, 1024])?;
    let t = time_steps(
        || {
            // Read one element back, like torch's `mm(A, B)[0, 0].item()`.
            a.matmul(&b)?.narrow(0, 0, 1)?.narrow(1, 0, 1)?.item()
        },
        w,
        n,
    )?;
    let gflops = 2.0 * 1024f64.powi(3) / (median(&t.times_ms) * 1e6);
    eprintln!(
        "matmul: median {:.3} ms  {gflops:.1} GFLOP/s",
        median(&t.times_ms)
    );
    Ok(result_json(
        "matmul",
        &t,
        &format!(",\"gflops\":{gflops:.3}"),
    ))
}
