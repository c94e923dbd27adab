//! Buffers by size class. A GPU tensor takes a buffer of its class and gives it back when it is
//! dropped, so a training step reuses last step's buffers instead of allocating (allocation is
//! the slowest call in WebGPU, and fresh buffers also defeat the bind group cache).

use std::collections::HashMap;

/// All pooled buffers can be bound as storage and copied both ways (upload, read-back, cat).
const USAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_SRC)
    .union(wgpu::BufferUsages::COPY_DST);

/// A buffer owned by the pool's client, with a process-unique id for cache keys.
#[derive(Debug)]
pub(crate) struct PooledBuffer {
    pub id: u64,
    pub buffer: wgpu::Buffer,
}

/// Counters the bench and the tests read to check that steady-state steps allocate nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Buffers created since the device was opened.
    pub created: u64,
    /// Requests served from the free lists.
    pub reused: u64,
    /// Bytes held in free lists now.
    pub free_bytes: u64,
    /// Bytes of every pooled buffer that exists now (held by tensors or free).
    pub allocated_bytes: u64,
}

impl PoolStats {
    /// Bytes of GPU buffers that tensors hold now: what the device panel shows as "GPU memory
    /// in use" (the free lists are kept for reuse and released by `Gpu::trim`).
    pub fn in_use_bytes(&self) -> u64 {
        self.allocated_bytes.saturating_sub(self.free_bytes)
    }
}

/// Size classes: powers of two up to 4 KiB, then steps of an eighth of the power of two below,
/// so that rounding wastes at most 12.5% above 4 KiB (and nothing below 256 bytes is allocated).
pub(crate) fn size_class(bytes: u64) -> u64 {
    let b = bytes.max(256);
    let pow = b.next_power_of_two();
    if pow <= 4096 {
        return pow;
    }
    let step = pow / 16;
    b.div_ceil(step) * step
}

/// Free buffers per class, each stamped with the batch (submission serial) it was released in.
#[derive(Debug, Default)]
pub(crate) struct BufferPool {
    free: HashMap<u64, Vec<(PooledBuffer, u64)>>,
    next_id: u64,
    stats: PoolStats,
}

impl BufferPool {
    /// A buffer of at least `bytes`. With `for_write`, only a buffer released before the open
    /// batch qualifies: `queue.write_buffer` lands before the open batch's commands, which may
    /// still read a buffer released during that batch.
    pub fn take(
        &mut self,
        device: &wgpu::Device,
        bytes: u64,
        open_batch: u64,
        for_write: bool,
    ) -> PooledBuffer {
        let class = size_class(bytes);
        if let Some(list) = self.free.get_mut(&class) {
            let pos = if for_write {
                list.iter()
                    .rposition(|(_, released)| *released < open_batch)
            } else {
                list.len().checked_sub(1)
            };
            if let Some(pos) = pos {
                let (buf, _) = list.swap_remove(pos);
                self.stats.reused += 1;
                self.stats.free_bytes -= class;
                return buf;
            }
        }
        self.stats.created += 1;
        self.stats.allocated_bytes += class;
        self.next_id += 1;
        PooledBuffer {
            id: self.next_id,
            buffer: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("pixelgrad tensor"),
                size: class,
                usage: USAGE,
                mapped_at_creation: false,
            }),
        }
    }

    /// Returns a buffer to its class, stamped with the batch that is open now.
    pub fn give_back(&mut self, buf: PooledBuffer, open_batch: u64) {
        let class = buf.buffer.size();
        self.stats.free_bytes += class;
        self.free.entry(class).or_default().push((buf, open_batch));
    }

    /// Destroys every free buffer (after a model is discarded, say); ids are not reused.
    pub fn trim(&mut self) {
        for (_, list) in self.free.drain() {
            for (buf, _) in list {
                self.stats.allocated_bytes -= buf.buffer.size();
                buf.buffer.destroy();
            }
        }
        self.stats.free_bytes = 0;
    }

    /// Current counters.
    pub fn stats(&self) -> PoolStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::size_class;

    #[test]
    fn size_classes_round_up_within_an_eighth() {
        assert_eq!(size_class(0), 256);
        assert_eq!(size_class(257), 512);
        assert_eq!(size_class(4096), 4096);
        assert_eq!(size_class(4097), 4608);
        for bytes in [5000u64, 70_000, 1 << 20, 3_000_001] {
            let c = size_class(bytes);
            assert!(c >= bytes && c - bytes <= c / 8, "{bytes} -> {c}");
            assert_eq!(c % 4, 0);
        }
    }
}
