//! The server's live heap, counted: [`Counting`] wraps the global allocator and keeps the
//! bytes allocated and not yet freed, which `gstack/memoryUsage` answers (rust-analyzer has the
//! same kind of request, `rust-analyzer/memoryUsage`).
//!
//! Resident memory (`VmRSS`) is the wrong measure for "does the server keep what it no longer
//! needs": an allocator keeps freed pages for reuse and fragments, so RSS rises and falls with
//! the allocation pattern. The live count is exact: it grows only when something is kept.
//! Two relaxed atomic additions per allocation; the `gstack-lsp` binary installs it around
//! mimalloc.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering::Relaxed};

static LIVE_BYTES: AtomicI64 = AtomicI64::new(0);
static LIVE_BLOCKS: AtomicI64 = AtomicI64::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// A global allocator that counts live bytes and blocks, then delegates to `A`.
pub struct Counting<A>(pub A);

unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(layout.size() as i64, Relaxed);
            LIVE_BLOCKS.fetch_add(1, Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(layout.size() as i64, Relaxed);
            LIVE_BLOCKS.fetch_add(1, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.0.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(layout.size() as i64, Relaxed);
        LIVE_BLOCKS.fetch_sub(1, Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(new_size as i64 - layout.size() as i64, Relaxed);
        }
        p
    }
}

/// Say that [`Counting`] is the global allocator (the binary does, at start).
pub fn installed() {
    INSTALLED.store(true, Relaxed);
}

/// Live heap: `(bytes, blocks)` allocated and not freed since the process started; `None`
/// when [`Counting`] is not the global allocator (tests that run the server in-process).
pub fn live() -> Option<(u64, u64)> {
    INSTALLED.load(Relaxed).then(|| (LIVE_BYTES.load(Relaxed).max(0) as u64, LIVE_BLOCKS.load(Relaxed).max(0) as u64))
}

/// Resident memory of this process in bytes (`VmRSS` of `/proc/self/status`), where Linux has it.
pub fn resident() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
