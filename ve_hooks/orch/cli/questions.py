"""``ve orch`` questions and answers: ask, take, attention, status, log, answer, cancel, sync."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ve_hooks.orch import model
from ve_hooks.orch.cli.group import checked_unit, domain_errors, indented, orch, print_warnings, store_of
from ve_hooks.orch.store import AnswerRefused, OrchError
from ve_hooks.sanitize import clean, one_line


@orch.command()
@click.argument("unit", callback=lambda _c, _p, v: checked_unit(v))
@click.option("--question", "text", required=True, help="The question.")
@click.option("--option", "options", multiple=True, help="A possible answer (repeatable).")
@click.option("--context", default=None, help="Background the operator needs.")
@click.option("--session-id", default=None, help="Agent session to resume with the answer.")
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Wait up to S seconds for the answer; print it and record it as delivered (exit 1 if none came).")
@click.pass_context
@domain_errors
def ask(ctx: click.Context, unit: str, text: str, options: tuple[str, ...], context: str | None,
        session_id: str | None, wait: float) -> int:
    """Record a question for UNIT (what AskOperator does); prints its id.

    \b
    With --wait (a script asking without an agent session) the command blocks until the operator
    answers, prints the id and then the answer, and closes the question (delivered via wait).
    Later, `ve orch take UNIT` does the same for a question asked without --wait.
    """
    from ve_hooks.orch import delivery
    from ve_hooks.orch.mcp_server import wait_for_answer

    store = store_of(ctx)
    qid = store.ask(unit, text, options, context, session_id=session_id)
    click.echo(qid)
    if wait <= 0:
        return 0
    got = wait_for_answer(store, unit, qid, wait)
    taken = got and delivery.deliver(store, unit, qid, via="wait", session_id=session_id)
    if not taken:
        click.echo(f"{qid}: no answer within {wait:g} s; it stays open (ve orch take {unit} {qid} later)", err=True)
        return 1
    q, answer = taken
    click.echo(clean(model.answer_text(q, answer)))  # the operator's text, through the output guard
    return 0


@orch.command()
@click.argument("unit", callback=lambda _c, _p, v: checked_unit(v))
@click.argument("question_id", required=False)
@click.pass_context
@domain_errors
def take(ctx: click.Context, unit: str, question_id: str | None) -> int:
    """Print the answer of UNIT's answered question and close it (delivered via take).

    For questions asked with `ve orch ask` by a script with no agent session to resume: the
    answer counts as delivered once printed, exactly once (a second take finds nothing).
    """
    from ve_hooks.orch import delivery

    store = store_of(ctx)
    q = store.find_question(store.load([unit]).unit(unit), question_id, statuses=[model.ANSWERED])
    taken = delivery.deliver(store, unit, q.id, via="take", session_id=None)
    if taken is None:
        raise OrchError(f"question {q.id} was delivered meanwhile, or another attempt is delivering it")
    click.echo(clean(model.answer_text(*taken)))  # escapes, controls, bidi: never raw to a terminal
    return 0


# What `ve orch attention` shows of one question; the rest is a `ve orch show` away. An agent can
# paste megabytes into a question: the list of what needs the operator must stay a list.
MAX_CHARS, MAX_LINES, MAX_OPTIONS = 2000, 30, 20


def excerpt(text: str, more: str, max_chars: int = MAX_CHARS, max_lines: int = MAX_LINES) -> str:
    """``text`` cut to ``max_lines`` lines and ``max_chars`` characters, with a pointer to ``more``."""
    cut = text[:max_chars]
    lines = cut.splitlines()
    if len(lines) > max_lines:
        cut = "\n".join(lines[:max_lines])
    if len(cut) >= len(text):
        return text
    return f"{cut}\n… ({len(text) - len(cut)} more characters; the whole question: {more})"


def _question_json(unit: str, q: model.Question) -> dict[str, Any]:
    e = q.event
    return {"unit": unit, "id": q.id, "status": q.status, "text": q.text, "options": q.options,
            "context": e.get("context"), "asked_at": e.get("asked_at"), "asker": e.get("asker"),
            "session_id": e.get("session_id")}


_PROJECT_DIR = click.option(
    "--project-dir", type=click.Path(file_okay=False), default=None,
    help="Project whose vibe-engineer daemon (.ve/orchestrator.sock) to ask [default: this repository's].")


def _daemon_lines(item: dict[str, Any]) -> list[str]:
    from ve_hooks.orch.inbox import format_waiting

    lines = [f"{one_line(str(item.get('chunk')))}  [daemon]  {one_line(str(item.get('phase')), 20)}"
             f"  blocks:{one_line(str(item.get('blocks_count', 0)), 12)}  waiting:{format_waiting(item.get('time_waiting'))}"]
    if item.get("attention_reason"):
        lines.append(indented(str(item["attention_reason"])))
    if item.get("goal_summary"):
        lines.append(indented("Goal: " + one_line(str(item["goal_summary"]), 200)))
    lines.append(f"    answer: ve orch answer {one_line(str(item.get('chunk')))} TEXT")
    return lines


@orch.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one list, every entry with \"source\": \"notes\" or \"daemon\".")
@click.option("--json", "vibe_json", is_flag=True,
              help="vibe-engineer's JSON shape ({attention_items, count}), notes questions included.")
@_PROJECT_DIR
@click.pass_context
@domain_errors
def attention(ctx: click.Context, fmt: str, vibe_json: bool, project_dir: str | None) -> int:
    """List what needs the operator: AskOperator questions and the daemon's units. Exit 1 if any.

    \b
    Two sources, each entry marked:
      notes   open AskOperator questions (one bulk read of the notes ref)
      daemon  NEEDS_ATTENTION units of vibe-engineer's daemon, when it runs
    """
    from ve_hooks.orch.inbox import daemon_entry, daemon_queue

    store = store_of(ctx)
    ledger = store.load()
    print_warnings(ledger.warnings)
    open_qs = [(name, q) for name, u in ledger.units.items() for q in u.open_questions()]
    open_qs.sort(key=lambda item: item[1].event.sort_key)
    queue = daemon_queue(store, project_dir)
    print_warnings(queue.warnings)
    entries = [{**_question_json(n, q), "source": "notes", "state": "open"} for n, q in open_qs]
    entries += [daemon_entry(i) for i in queue.items]
    # Answered but not yet taken by an agent: nothing for the operator to do, but never invisible.
    waiting = sorted(((name, q) for name, u in ledger.units.items() for q in u.answered_questions()),
                     key=lambda item: item[1].event.sort_key)
    if vibe_json:
        items = [{"chunk": e["unit"], "status": "NEEDS_ATTENTION", "attention_reason": e["text"], **e}
                 if e["source"] == "notes" else e for e in entries]
        click.echo(json.dumps({"attention_items": items, "count": len(items)}, indent=2))
    elif fmt == "json":
        from ve_hooks.report.jsonout import dumps

        click.echo(dumps([*entries, *({**_question_json(n, q), "source": "notes", "state": "answered"}
                                       for n, q in waiting)]))
    elif not entries:
        click.echo("No open questions." + ("" if queue.daemon else " (vibe-engineer's daemon: not running)"))
    else:
        lines: list[str] = []  # one write: 1,000 questions must not mean 4,000 flushes
        for name, q in open_qs:
            lines.append(f"{one_line(name)}  [notes]  {one_line(q.id, 40)}  {one_line(str(q.event.get('asked_at', '')), 40)}"
                         f"  {one_line(str(q.event.get('asker', '')), 60)}")
            more = f"ve orch show {one_line(name)} {q.id}"
            lines.append(indented(excerpt(q.text, more)))
            lines.extend(f"      {i}) {one_line(opt)}" for i, opt in enumerate(q.options[:MAX_OPTIONS], 1))
            if len(q.options) > MAX_OPTIONS:
                lines.append(f"      … {len(q.options) - MAX_OPTIONS} more options: {more}")
            if q.event.get("context"):
                lines.append("    context:")
                lines.append(indented(excerpt(str(q.event.get("context")), more), "      "))
        for item in queue.items:
            lines.extend(_daemon_lines(item))
        click.echo("\n".join(lines))
    if fmt == "text" and not vibe_json:
        for name, q in waiting:
            click.echo(f"{one_line(name)}  {one_line(q.id, 40)}  answered, not yet delivered: {_take_hint(name, q)}")
    return 1 if entries else 0


@orch.command()
@click.pass_context
@domain_errors
def status(ctx: click.Context) -> int:
    """One line per unit: state, open questions, last run."""
    ledger = store_of(ctx).load()
    print_warnings(ledger.warnings)
    if not ledger.units:
        click.echo("No work units recorded.")
        return 0
    width = max(len(one_line(n)) for n in ledger.units)
    rows: list[str] = []
    for name, u in ledger.units.items():
        parts = [f"{one_line(name):<{width}}", f"{one_line(u.state, 20):<15}"]
        if u.open_questions():
            parts.append(f"open: {', '.join(q.id for q in u.open_questions())}")
        if u.answered_questions():
            parts.append("answered: " + ", ".join(f"{q.id} ({_take_hint(name, q)})" for q in u.answered_questions()))
        if u.runs:
            r = u.runs[-1]
            parts.append(f"last {one_line(str(r.get('kind', 'run')), 10)}: {one_line(str(r.get('state')), 20)} "
                         f"exit {r.get('exit_code')} at {one_line(str(r.get('finished_at')), 40)}")
            if r.get("reason"):
                parts.append(f"({one_line(str(r.get('reason')), 120)})")
        if u.session_for():
            parts.append(f"session {one_line(str(u.session_for()), 60)}")
        rows.append("  ".join(parts))
    click.echo("\n".join(rows))
    return 0


def _take_hint(name: str, q: model.Question) -> str:
    """How an answered question reaches its asker: an agent's session is resumed; a question
    asked by hand (``ve orch ask``, no session) is taken."""
    unit = one_line(name)
    if q.event.get("session_id") or q.event.get("run_id"):
        return f"ve orch resume {unit}"
    return f"ve orch take {unit} (or ve orch resume {unit})"


def _describe(u: model.Unit, e: model.Event) -> list[str]:
    """Human lines for one event in ``ve orch log``."""
    at = one_line(str(e.get(model.TIME_FIELD[e.type], "?")), 40)
    head = f"{at}  {e.type:<9} {one_line(e.id, 40)}"
    if e.type == "question":
        q = u.questions[e.id]
        lines = [f"{head}  by {one_line(str(e.get('asker', '?')), 60)}  [{q.status}]", indented(q.text)]
        lines += [f"      {i}) {one_line(o)}" for i, o in enumerate(q.options, 1)]
        if e.get("context"):
            lines += ["    context:", indented(str(e.get("context")), "      ")]
        return lines
    q = u.questions.get(str(e.get("question_id")))
    target = f"to {one_line(str(e.get('question_id')), 40)}" + ("" if q else " (unknown question)")
    if e.type == "answer":
        mark = ""
        if q is not None and q.winner is not None:
            mark = "  [winner]" if q.winner.id == e.id else f"  [superseded: {q.winner.id} wins]"
        text = model.answer_text(q, e) if q else str(e.get("text", e.get("option", "")))
        opt = f" (option {e.get('option')})" if e.get("option") is not None else ""
        return [f"{head}  {target}  by {one_line(str(e.get('who', '?')), 60)}{opt}{mark}", indented(text)]
    if e.type == "delivered":
        return [f"{head}  {target}  via {one_line(str(e.get('via', '?')), 20)}"
                f"  session {one_line(str(e.get('session_id')), 60)}"]
    if e.type == "claim":
        return [f"{head}  {target}  for run {one_line(str(e.get('run_id')), 40)}"
                f"  (pid {one_line(str(e.get('pid')), 12)} on {one_line(str(e.get('host')), 60)})"]
    if e.type == "cancelled":
        reason = f": {one_line(str(e.get('reason')))}" if e.get("reason") else ""
        return [f"{head}  {target}  by {one_line(str(e.get('who', '?')), 60)}{reason}"]
    return [f"{head}  {one_line(str(e.get('kind', 'run')), 10)} {one_line(str(e.get('state')), 20)} "
            f"exit {e.get('exit_code')}  session {one_line(str(e.get('session_id')), 60)}",
            f"    log: {one_line(str(e.get('log')), 300)}"]


@orch.command()
@click.argument("unit", callback=lambda _c, _p, v: checked_unit(v))
@click.argument("question_id", required=False)
@click.pass_context
@domain_errors
def show(ctx: click.Context, unit: str, question_id: str | None) -> int:
    """Print one question of UNIT whole: text, options, context, status and answers.

    \b
    `ve orch attention` shows the first lines of a long question and points
    here. QUESTION_ID (a unique prefix is enough) may be left out when UNIT
    has one open question, else one question at all.
    """
    store = store_of(ctx)
    ledger = store.load([unit])
    print_warnings(ledger.warnings)
    u = ledger.unit(unit)
    every = [model.OPEN, model.ANSWERED, model.DELIVERED, model.CANCELLED]
    q = store.find_question(u, question_id, statuses=[model.OPEN] if u.open_questions() else every)
    e = q.event
    lines = [f"{unit}  {q.id}  [{q.status}]  asked {one_line(str(e.get('asked_at', '?')), 40)}"
             f" by {one_line(str(e.get('asker', '?')), 60)}", indented(q.text)]
    lines += [f"      {i}) {one_line(o)}" for i, o in enumerate(q.options, 1)]
    if e.get("context"):
        lines += ["    context:", indented(str(e.get("context")), "      ")]
    for a in q.answers:
        mark = "  [winner]" if q.winner is not None and a.id == q.winner.id else "  [superseded]"
        lines += [f"    answer {a.id} by {one_line(str(a.get('who', '?')), 60)}{mark}",
                  indented(model.answer_text(q, a), "      ")]
    click.echo("\n".join(lines))
    return 0


@orch.command()
@click.argument("unit", callback=lambda _c, _p, v: checked_unit(v))
@click.pass_context
@domain_errors
def log(ctx: click.Context, unit: str) -> int:
    """Every event of UNIT in order, including superseded answers."""
    ledger = store_of(ctx).load([unit])
    print_warnings(ledger.warnings)
    if unit not in ledger.units:
        click.echo(f"No events for unit {unit}.")
        return 1
    u = ledger.units[unit]
    click.echo("\n".join([f"{unit}: {one_line(u.state, 20)}", *(line for e in u.events for line in _describe(u, e))]))
    return 0


def _read_answer(question_text: str) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.read()
    template = "\n\n# Answer above. Lines starting with '#' are ignored. The question:\n" + "\n".join(
        "# " + line for line in clean(question_text).splitlines())
    edited = click.edit(template)
    if edited is None:
        raise click.UsageError("no answer given (editor closed without saving)")
    return "\n".join(line for line in edited.splitlines() if not line.startswith("#")).strip()


@orch.command()
@click.argument("unit", callback=lambda _c, _p, v: checked_unit(v))
@click.argument("question_id_or_text", metavar="[QUESTION_ID | TEXT]", required=False)
@click.option("--text", default=None, help="The answer text (else TEXT, else stdin, else $EDITOR).")
@click.option("--option", "option", type=int, default=None, help="Choose option N (1-based).")
@click.option("--force", is_flag=True, help="Answer again (supersedes the current answer) or a cancelled question.")
@click.option("--json", "json_output", is_flag=True, help="Print the recorded answer (or the daemon's unit) as JSON.")
@_PROJECT_DIR
@click.pass_context
@domain_errors
def answer(ctx: click.Context, unit: str, question_id_or_text: str | None, text: str | None, option: int | None,
           force: bool, json_output: bool, project_dir: str | None) -> int:
    """Answer UNIT: its open AskOperator question, else its NEEDS_ATTENTION unit in the daemon.

    \b
      ve orch answer UNIT "use option a"       vibe-engineer's form (TEXT)
      ve orch answer UNIT --text T             the unit's only open question
      ve orch answer UNIT QUESTION_ID --option N
    The second argument is a question id when it names one of UNIT's
    questions (q-...), else the answer text. With neither TEXT nor --text
    nor --option the answer is read from stdin, else from $EDITOR.

    A question takes one answer: if it already has one, or another answer
    is recorded first while this one is written, nothing is recorded and
    the command exits 1 naming the winning answer (a-...). --force
    records this answer in its place.
    """
    from ve_hooks.orch import inbox

    if text is not None and option is not None:
        raise click.UsageError("give --text or --option, not both")
    store = store_of(ctx)
    ledger = store.load([unit])  # the one read: routing, the question, and the first compare-and-swap
    print_warnings(ledger.warnings)
    u = ledger.unit(unit)
    question_id = question_id_or_text
    if question_id_or_text is not None and text is None and option is None \
            and not inbox.is_question_id(u, question_id_or_text):
        question_id, text = None, question_id_or_text
    to_notes = question_id is not None or force or bool(u.open_questions())
    answered = u.answered_questions()
    if not to_notes and answered and option is not None:
        to_notes = True  # the daemon takes no option: this answers the notes question (and is refused)
    if not to_notes:
        if option is not None:
            raise OrchError(f"unit {unit} has no open question in the notes ({store.ref}) to choose option "
                            f"{option} of; the daemon takes text: ve orch answer {unit} TEXT")
        try:
            daemon, wu = inbox.daemon_unit(store, unit, project_dir)
        except OrchError:
            if len(answered) != 1 or answered[0].winner is None:
                raise
            # Answered already (perhaps by a concurrent `ve orch answer`): say so, naming the winner.
            click.echo(f"ve orch answer: {one_line(str(AnswerRefused(answered[0].id, answered[0].winner, False)), 500)}",
                       err=True)
            return 1
        if text is None:
            text = _read_answer(inbox.daemon_question(wu))
        routed = inbox.answer_daemon(daemon, unit, text)
        click.echo(json.dumps({"source": "daemon", **routed.result}, indent=2) if json_output else routed.message)
        return 0
    try:
        if text is None and option is None:
            q = store.answer_target(u, question_id, force=force)
            if not force and q.status != model.OPEN and q.winner is not None:  # refuse before the editor opens
                raise AnswerRefused(q.id, q.winner, lost=False)
            text = _read_answer(q.text)
        event = store.answer(unit, question_id, text=text, option=option, force=force, ledger=ledger)
    except AnswerRefused as e:
        click.echo(f"ve orch answer: {one_line(str(e), 500)}", err=True)
        return 1
    if json_output:
        click.echo(json.dumps({"source": "notes", **event}, indent=2))
        return 0
    q = u.questions.get(event["question_id"]) or store.load([unit]).unit(unit).questions[event["question_id"]]
    if model.time_key(q.event.get("waits_until")) > model.now():
        click.echo(f"{q.id}: answered ({event['id']}); the agent's AskOperator call is waiting and takes it")
    elif not q.event.get("session_id") and not q.event.get("run_id"):
        click.echo(f"{q.id}: answered ({event['id']}). No agent session asked it: ve orch take {unit}")
    else:
        click.echo(f"{q.id}: answered ({event['id']}). Deliver it with: ve orch resume {unit}")
    return 0


@orch.command()
@click.argument("unit", callback=lambda _c, _p, v: checked_unit(v))
@click.argument("question_id", required=False)
@click.option("--reason", default=None, help="Why it is withdrawn (recorded with the cancellation).")
@click.pass_context
@domain_errors
def cancel(ctx: click.Context, unit: str, question_id: str | None, reason: str | None) -> int:
    """Withdraw a question of UNIT so it no longer needs attention."""
    click.echo(f"{store_of(ctx).cancel(unit, question_id, reason)}: cancelled")
    return 0


@orch.command()
@click.argument("remote", default="origin")
@click.pass_context
@domain_errors
def sync(ctx: click.Context, remote: str) -> int:
    """Fetch, union-merge and push the notes with REMOTE (never a forced overwrite)."""
    from ve_hooks.orch.sync import sync as do_sync

    result = do_sync(store_of(ctx), remote)
    print_warnings(result.warnings)
    extra = f": {', '.join(one_line(u) for u in result.merged_units)}" if result.merged_units else ""
    diverged = " (local and remote had diverged; both sides kept)" if result.action == "merged" else ""
    click.echo(f"{one_line(remote)}: {result.action}{diverged}{extra}")
    return 0
