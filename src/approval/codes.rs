//! One-time approval codes for `AUTOTASK_WRITE_APPROVAL=preview`: the preview of a write
//! returns a code bound to the exact request and the caller ([`super::request`]); `confirm`
//! must carry it. A code is unguessable (an id and a 128-bit secret from the thread CSPRNG),
//! single use, expires ([`DEFAULT_TTL`] by default), and memory is bounded: at most
//! [`DEFAULT_CAP`] codes are kept (used and expired ones included, so a refusal can say why),
//! the oldest dropped first.
//!
//! [`Approvals::redeem`] says why it refuses ([`Refusal`]) without echoing the code. The
//! secret half is compared in constant time (`subtle`). A code offered by another caller is
//! refused and stays usable by its owner; a code offered with a different request is used up
//! (what was approved is not what is being sent: preview again).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use subtle::ConstantTimeEq;

use super::request::{CallerKey, RequestHash, hex};

/// How long a code stays valid by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(10 * 60);
/// How many codes are kept by default.
pub const DEFAULT_CAP: usize = 1_000;
/// What every code starts with.
pub const PREFIX: &str = "approve-";

const ID_BYTES: usize = 8;
const SECRET_BYTES: usize = 16;

/// One approval code. Display is the code itself (for the preview's answer); Debug shows the
/// id half only.
#[derive(Clone, PartialEq, Eq)]
pub struct Code {
    id: [u8; ID_BYTES],
    secret: [u8; SECRET_BYTES],
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{PREFIX}{}-{}", hex(&self.id), hex(&self.secret))
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Code({PREFIX}{}-…)", hex(&self.id))
    }
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != N * 2 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0_u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl Code {
    /// A new random code.
    fn random() -> Code {
        let mut id = [0_u8; ID_BYTES];
        let mut secret = [0_u8; SECRET_BYTES];
        let mut rng = rand::rng();
        rng.fill_bytes(&mut id);
        rng.fill_bytes(&mut secret);
        Code { id, secret }
    }

    /// The code written in `text` (surrounding spaces ignored, hex digits of any case), or
    /// `None` when it is not one.
    pub fn parse(text: &str) -> Option<Code> {
        let rest = text.trim().strip_prefix(PREFIX)?;
        let (id, secret) = rest.split_once('-')?;
        Some(Code {
            id: unhex(id)?,
            secret: unhex(secret)?,
        })
    }
}

/// Why a code was refused. The text says what to do; it never repeats the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "the approval code is not one this server issued (mistyped, from before a restart, or dropped because too many previews were waiting): preview the write again and confirm with the code it returns"
    )]
    Unknown,
    #[error("the approval code has expired: preview the write again and confirm with the new code")]
    Expired,
    #[error(
        "the approval code was already used: each code approves one write; preview the write again for a new one"
    )]
    Used,
    #[error(
        "the write differs from the one the approval code was issued for (another record, field, value or acting resource): the code is now used up; preview this write and confirm with its code"
    )]
    DifferentRequest,
    #[error(
        "the approval code was issued to another caller: only the caller that previewed the write can confirm it"
    )]
    DifferentCaller,
}

#[derive(Debug)]
struct Entry {
    secret: [u8; SECRET_BYTES],
    request: RequestHash,
    caller: CallerKey,
    expires: Instant,
    used: bool,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<[u8; ID_BYTES], Entry>,
    /// Ids in issue order (codes live equally long, so also expiry order).
    order: VecDeque<([u8; ID_BYTES], Instant)>,
}

/// The codes the server has issued. Cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct Approvals {
    state: Arc<Mutex<State>>,
    ttl: Duration,
    cap: usize,
}

impl Default for Approvals {
    fn default() -> Self {
        Approvals::new(DEFAULT_TTL, DEFAULT_CAP)
    }
}

impl Approvals {
    /// Codes valid for `ttl`, at most `cap` kept (at least one).
    pub fn new(ttl: Duration, cap: usize) -> Approvals {
        Approvals {
            state: Arc::new(Mutex::new(State::default())),
            ttl,
            cap: cap.max(1),
        }
    }

    /// How long a code stays valid (for the preview's wording).
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Codes kept now (valid, used or expired).
    pub fn kept(&self) -> usize {
        self.lock().entries.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new code approving `request` for `caller`.
    pub fn issue(&self, request: RequestHash, caller: CallerKey) -> Code {
        self.issue_at(request, caller, Instant::now())
    }

    /// Uses up `code` for `request` by `caller`, or says why not.
    pub fn redeem(
        &self,
        code: &str,
        request: &RequestHash,
        caller: &CallerKey,
    ) -> Result<(), Refusal> {
        self.redeem_at(code, request, caller, Instant::now())
    }

    fn issue_at(&self, request: RequestHash, caller: CallerKey, now: Instant) -> Code {
        let mut state = self.lock();
        self.forget_old(&mut state, now);
        while state.entries.len() >= self.cap {
            match state.order.pop_front() {
                Some((id, _)) => {
                    state.entries.remove(&id);
                }
                None => break,
            }
        }
        let mut code = Code::random();
        while state.entries.contains_key(&code.id) {
            code = Code::random();
        }
        state.entries.insert(
            code.id,
            Entry {
                secret: code.secret,
                request,
                caller,
                expires: now + self.ttl,
                used: false,
            },
        );
        state.order.push_back((code.id, now));
        code
    }

    fn redeem_at(
        &self,
        code: &str,
        request: &RequestHash,
        caller: &CallerKey,
        now: Instant,
    ) -> Result<(), Refusal> {
        let code = Code::parse(code).ok_or(Refusal::Unknown)?;
        let mut state = self.lock();
        self.forget_old(&mut state, now);
        let entry = state.entries.get_mut(&code.id).ok_or(Refusal::Unknown)?;
        if !bool::from(entry.secret.ct_eq(&code.secret)) {
            return Err(Refusal::Unknown);
        }
        if !entry.caller.same(caller) {
            return Err(Refusal::DifferentCaller);
        }
        if now >= entry.expires {
            return Err(Refusal::Expired);
        }
        if entry.used {
            return Err(Refusal::Used);
        }
        entry.used = true;
        if !entry.request.same(request) {
            return Err(Refusal::DifferentRequest);
        }
        Ok(())
    }

    /// Drops codes issued over two lifetimes ago: an expired code is kept one more lifetime
    /// so its refusal can say "expired" rather than "unknown".
    fn forget_old(&self, state: &mut State, now: Instant) {
        while let Some((id, issued)) = state.order.front().copied() {
            if now.saturating_duration_since(issued) < self.ttl.saturating_mul(2) {
                break;
            }
            state.order.pop_front();
            state.entries.remove(&id);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Barrier;

    fn request(title: &str) -> RequestHash {
        RequestHash::of("POST", "Tickets", &json!({"title": title}), None)
    }

    fn caller(token: &str) -> CallerKey {
        CallerKey::new("http", Some(token), None)
    }

    #[test]
    fn a_code_approves_its_request_once() {
        let approvals = Approvals::default();
        let code = approvals.issue(request("a"), caller("t1"));
        let text = code.to_string();
        assert!(text.starts_with(PREFIX), "{text}");
        assert_eq!(text.len(), PREFIX.len() + 16 + 1 + 32);
        assert_eq!(
            Code::parse(&format!(
                "  {}  ",
                text.to_uppercase().replace("APPROVE-", PREFIX)
            )),
            Some(code.clone())
        );
        assert!(!format!("{code:?}").contains(&text[PREFIX.len() + 17..]));
        assert_eq!(
            approvals.redeem(&text, &request("a"), &caller("t1")),
            Ok(())
        );
        assert_eq!(
            approvals.redeem(&text, &request("a"), &caller("t1")),
            Err(Refusal::Used)
        );
    }

    #[test]
    fn each_refusal_says_why() {
        let approvals = Approvals::new(Duration::from_secs(600), 10);
        let now = Instant::now();
        let code = approvals
            .issue_at(request("a"), caller("t1"), now)
            .to_string();
        // Unknown: not a code, a code never issued, the right id with a wrong secret.
        let forged_secret = format!(
            "{}{}",
            &code[..code.len() - 1],
            if code.ends_with('0') { '1' } else { '0' }
        );
        for unknown in [
            "",
            "DELETE_ENTITY",
            "approve-zz",
            &Code::random().to_string(),
            &forged_secret,
        ] {
            assert_eq!(
                approvals.redeem_at(unknown, &request("a"), &caller("t1"), now),
                Err(Refusal::Unknown),
                "{unknown}"
            );
        }
        // Another caller: refused, and the code stays usable by its owner.
        assert_eq!(
            approvals.redeem_at(&code, &request("a"), &caller("t2"), now),
            Err(Refusal::DifferentCaller)
        );
        // Expired.
        let later = now + Duration::from_secs(600);
        assert_eq!(
            approvals.redeem_at(&code, &request("a"), &caller("t1"), later),
            Err(Refusal::Expired)
        );
        // A different request uses the code up.
        let other = approvals
            .issue_at(request("b"), caller("t1"), now)
            .to_string();
        assert_eq!(
            approvals.redeem_at(&other, &request("B"), &caller("t1"), now),
            Err(Refusal::DifferentRequest)
        );
        assert_eq!(
            approvals.redeem_at(&other, &request("b"), &caller("t1"), now),
            Err(Refusal::Used)
        );
        // The owner, in time, with the same request.
        assert_eq!(
            approvals.redeem_at(
                &code,
                &request("a"),
                &caller("t1"),
                now + Duration::from_secs(599)
            ),
            Ok(())
        );
        // No refusal repeats the code.
        for refusal in [
            Refusal::Unknown,
            Refusal::Expired,
            Refusal::Used,
            Refusal::DifferentRequest,
            Refusal::DifferentCaller,
        ] {
            let text = refusal.to_string();
            assert!(
                !text.contains(PREFIX) && text.contains("preview")
                    || refusal == Refusal::DifferentCaller,
                "{text}"
            );
        }
    }

    #[test]
    fn memory_is_bounded_and_old_codes_are_forgotten() {
        let ttl = Duration::from_secs(60);
        let approvals = Approvals::new(ttl, 3);
        let now = Instant::now();
        let codes: Vec<String> = (0..5)
            .map(|i| {
                approvals
                    .issue_at(request(&i.to_string()), caller("t"), now)
                    .to_string()
            })
            .collect();
        assert_eq!(approvals.kept(), 3);
        // The two oldest were dropped; the newest three still work.
        assert_eq!(
            approvals.redeem_at(&codes[0], &request("0"), &caller("t"), now),
            Err(Refusal::Unknown)
        );
        assert_eq!(
            approvals.redeem_at(&codes[4], &request("4"), &caller("t"), now),
            Ok(())
        );
        // Past two lifetimes every code is forgotten.
        let much_later = now + ttl * 2;
        assert_eq!(
            approvals.redeem_at(&codes[3], &request("3"), &caller("t"), much_later),
            Err(Refusal::Unknown)
        );
        assert_eq!(approvals.kept(), 0);
    }

    #[test]
    fn two_redeems_of_one_code_one_wins() {
        let approvals = Approvals::default();
        for _ in 0..200 {
            let code = approvals.issue(request("a"), caller("t1")).to_string();
            let barrier = Arc::new(Barrier::new(2));
            let results: Vec<Result<(), Refusal>> = (0..2)
                .map(|_| {
                    let approvals = approvals.clone();
                    let code = code.clone();
                    let barrier = barrier.clone();
                    std::thread::spawn(move || {
                        barrier.wait();
                        approvals.redeem(&code, &request("a"), &caller("t1"))
                    })
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect();
            let wins = results.iter().filter(|r| r.is_ok()).count();
            assert_eq!(wins, 1, "{results:?}");
            assert!(results.contains(&Err(Refusal::Used)), "{results:?}");
        }
    }

    #[test]
    fn codes_are_distinct() {
        let approvals = Approvals::new(DEFAULT_TTL, 10_000);
        let codes: std::collections::HashSet<String> = (0..2_000)
            .map(|_| approvals.issue(request("a"), caller("t")).to_string())
            .collect();
        assert_eq!(codes.len(), 2_000);
    }
}
