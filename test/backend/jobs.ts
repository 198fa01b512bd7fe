/** Jobs shared by several back-end tests. */

/** A job that uses every operator (the randomized differential test feeds it; the type-check test compiles it). */
export const everything = `
type Ev = { user: string, page: string, n: int, score: float?, tags: [string]?, at: timestamp }
type Pay = { user: string, amount: float, at: timestamp }
type User = { id: string, tier: int, name: string? }
source ev: Ev = file("ev.jsonl") event time at watermark 20s
source pay: Pay = file("pay.csv") event time at watermark 5s
table users: User = file("users.jsonl") key id
fn bucket(x: int): int = x % 5

let clean = ev | where n >= 0 | extend { b: bucket(n), s2: (score ?? 0.5) * 2.0 }
let per_min = clean | key by page, b | window tumbling 1m
  | aggregate { c: count(), s: sum(n), sc: sum(score), av: avg(score), mn: min(score), mx: max(n), f: first(user), l: last(user),
                mb: min_by(user, n), xb: max_by(page, score), d: count_distinct(user), odd: count_if(n % 2 == 1), col: collect(b) }
let slide = clean | key by user | window sliding 2m every 30s | aggregate { c: count(), pages: count_distinct(page) }
let sess = clean | key by user, page | window session 45s | aggregate { c: count(), last_n: last(n) }
let glob = clean | window tumbling 90s | aggregate { c: count(), users: count_distinct(user) }
let best = clean | key by page | window tumbling 1m | top 2 by score desc with ties
let cheap = clean | window tumbling 2m | top 3 by n
let firsts = ev | dedup by user, page within 30s
let words = ev | unnest tags as tag | where tag != "" | select { user, tag, at }
let rich = ev as e | lookup users as u on e.user == u.id keep unmatched | select { user, tier: u.tier ?? -1, name: u.name ?? "?" }
let paid = ev as e | join pay as p on e.user == p.user within 40s | select { user: e.user, n: e.n, amount: p.amount, lag: e.at - p.at }
let wpaid = ev as e | join pay as p on e.user == p.user window tumbling 1m | select { user: e.user, page: e.page, amount: p.amount }
let both = union(ev | where n > 50 | select { user, at }, pay | select { user, at })
let streak = clean | key by user | process {
  state count: int = 0
  state total: float = 0.0
  state first_page: string? = null
  on record {
    count = count + 1
    total = total + s2
    if first_page == null { first_page = page }
    if count >= 3 { emit { user, count, total, first_page: first_page ?? "", at } clear }
    timer at + 1m
  }
  on timer {
    if count > 0 { emit { user: key.user, count: -count, total, first_page: first_page ?? "", at: timer_time } }
  }
}
sink per_min -> file("out/per_min.jsonl")
sink slide -> file("out/slide.csv")
sink sess -> file("out/sess.jsonl")
sink glob -> file("out/glob.jsonl")
sink best -> file("out/best.jsonl")
sink cheap | select { user, n, rank } -> file("out/cheap.csv")
sink firsts -> file("out/firsts.jsonl")
sink words -> file("out/words.jsonl")
sink rich -> file("out/rich.jsonl")
sink paid -> file("out/paid.jsonl")
sink wpaid -> file("out/wpaid.jsonl")
sink both -> file("out/both.jsonl")
sink streak -> file("out/streak.jsonl")
sink late(per_min) -> file("out/late.jsonl")
sink late(sess) -> file("out/late_sess.jsonl")
sink errors(ev) -> file("out/bad_ev.jsonl")
sink errors(pay) -> file("out/bad_pay.jsonl")
`;
