//! The budget of one file's evaluation: steps (E0106) and bytes built (E0107), and the
//! periodic check for a salsa cancellation.

use super::Evaluator;
use crate::diag::Diagnostic;
use crate::syntax::Span;
use std::path::PathBuf;

/// How much of its budget one file's evaluation has used (shared with the evaluators of
/// functions from other files it calls).
#[derive(Default)]
pub(super) struct Budget {
    /// Steps taken: one per expression evaluated, plus the size of values compared.
    pub(super) steps: u64,
    /// Bytes of lists (a value's size per element) and strings built.
    pub(super) built: u64,
    /// When to look for a salsa cancellation next (in steps).
    pub(super) next_check: u64,
    /// Set when a budget ran out (and was reported): every further step fails.
    pub(super) spent: bool,
    /// The outermost function call in progress, where running out is reported.
    pub(super) call: Option<(PathBuf, Span)>,
}

/// Steps one file's evaluation may take: 10 million (an expression evaluated is a step; a
/// comparison of lists or strings costs their size): about a second in a debug build.
pub const MAX_STEPS: u64 = 10_000_000;

/// Bytes of lists and strings one file's evaluation may build: 256 MiB, a list element
/// counted as the size of one value.
pub const MAX_BUILT: u64 = 256 << 20;

/// How many steps pass between two checks for a salsa cancellation.
const CANCEL_EVERY: u64 = 4096;

impl<'a> Evaluator<'a> {
    /// Take `n` steps at `span`; `false` (reported once) when the step budget is spent.
    pub(super) fn step(&mut self, n: u64, span: Span) -> bool {
        if self.budget.spent {
            return false;
        }
        self.budget.steps += n;
        if self.budget.steps >= self.budget.next_check {
            self.budget.next_check = self.budget.steps + CANCEL_EVERY;
            // an edit in a language server: unwind (salsa's `Cancelled`) instead of finishing
            self.db.unwind_if_revision_cancelled();
        }
        if self.budget.steps > MAX_STEPS {
            self.out_of_budget(
                "E0106",
                span,
                format!("evaluation takes more than {MAX_STEPS} steps"),
                "a function that calls itself more than once per call takes exponential time; compute the value another way, or pass it in",
            );
            return false;
        }
        true
    }

    /// Account for `bytes` of lists or strings built at `span`; `false` (reported once) when
    /// that budget is spent.
    pub(super) fn build(&mut self, bytes: usize, span: Span) -> bool {
        if self.budget.spent {
            return false;
        }
        self.budget.built += bytes as u64;
        if self.budget.built > MAX_BUILT {
            self.out_of_budget(
                "E0107",
                span,
                format!("evaluation builds more than {} MiB of lists and strings", MAX_BUILT >> 20),
                "something doubles a list or string again and again; build smaller values",
            );
            return false;
        }
        true
    }

    /// Report a spent budget at the outermost call in progress (else at `span`).
    pub(super) fn out_of_budget(&mut self, code: &'static str, span: Span, msg: String, hint: &str) {
        self.budget.spent = true;
        let d = match &self.budget.call {
            Some((file, call)) => Diagnostic::error(code, file, *call, msg)
                .with_label("this call does not finish within the budget")
                .with_related(&self.path, span, "still evaluating here"),
            None => Diagnostic::error(code, &self.path, span, msg),
        };
        self.module.diags.push(d.with_hint(hint));
    }
}
