package dev.cromwell.edit;

import dev.cromwell.chat.ChatFormat;
import dev.cromwell.chat.ChatMessage;
import dev.cromwell.protocol.FimFormat;
import dev.cromwell.protocol.edit.Anchoring;
import dev.cromwell.protocol.edit.CopyGuard;
import dev.cromwell.protocol.edit.DocOnlyEdit;
import dev.cromwell.protocol.edit.EditAnswer;
import dev.cromwell.protocol.edit.EditAnswerParser;
import dev.cromwell.protocol.edit.EditException;
import dev.cromwell.protocol.edit.EditFormat;
import dev.cromwell.protocol.edit.EditPrompts;
import dev.cromwell.protocol.edit.RegionAnchoring;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Turns an instruction about lines of a file into the file's new text, for every front door: the
 * prompt (the mission's region format for base models, the model's chat template through {@link
 * ChatFormat} for instruct models), generation, parsing the answer and anchoring it in the current
 * text. An answer that does not apply is refused with the reason; nothing is guessed.
 */
public final class EditService {
  /**
   * One edit: lines {@code firstLine..lastLine} (1-based, inclusive) of {@code text}.
   *
   * @param path how the file is named in the prompt (workspace-relative)
   */
  public record Request(String path, String text, int firstLine, int lastLine, String instruction) {
    public Request {
      if (instruction == null || instruction.isBlank()) {
        throw new IllegalArgumentException("the instruction is empty");
      }
    }
  }

  private final EditModel model;
  private final EditFormat format;

  /** Edits in the format measured best for the model's size ({@link EditFormat#forParameters}). */
  public EditService(EditModel model) {
    this(model, EditFormat.forParameters(model.parameters()));
  }

  /** Edits in {@code format} (instruct models; base models always get the region format). */
  public EditService(EditModel model, EditFormat format) {
    this.model = model;
    this.format = format;
  }

  /** The new text of the whole file. */
  public String edit(Request r, BooleanSupplier cancelled) throws EditException {
    return edit(r, cancelled, step -> {});
  }

  /**
   * The new text of the whole file; {@code steps} hears, as they happen, what a fix did beyond its
   * first answer ({@link FixStep}).
   */
  public String edit(Request r, BooleanSupplier cancelled, Consumer<FixStep> steps)
      throws EditException {
    if (!allLinesEndInCrlf(r.text())) {
      return editLines(r, cancelled, steps);
    }
    // The model reads and answers in \n lines (its answers hold no \r), so a file whose every
    // line ends in \r\n is edited as \n lines and gets its line ends back: else the lines the
    // answer brings would end in \n among the file's \r\n (the command line's TextFile does the
    // same; an editor or HTTP client sends the text as it is). A file that mixes the two is left
    // as it is, so that no line outside the edit changes its end.
    Request lf =
        new Request(
            r.path(), r.text().replace("\r\n", "\n"), r.firstLine(), r.lastLine(), r.instruction());
    return editLines(lf, cancelled, steps).replace("\n", "\r\n");
  }

  /** Whether {@code text} has line ends and every one is {@code \r\n}. */
  static boolean allLinesEndInCrlf(String text) {
    int lineEnds = 0;
    for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      if (i == 0 || text.charAt(i - 1) != '\r') {
        return false;
      }
      lineEnds++;
    }
    return lineEnds > 0;
  }

  private String editLines(Request r, BooleanSupplier cancelled, Consumer<FixStep> steps)
      throws EditException {
    String[] lines = r.text().split("\n", -1);
    int lineCount = r.text().endsWith("\n") ? lines.length - 1 : lines.length;
    if (r.firstLine() < 1
        || r.lastLine() < r.firstLine()
        || r.lastLine() > Math.max(1, lineCount)) {
      throw new EditException(
          "lines "
              + r.firstLine()
              + "-"
              + r.lastLine()
              + " are outside "
              + r.path()
              + " ("
              + lineCount
              + " lines)");
    }
    int regionStart = offsetOfLine(r.text(), r.firstLine() - 1);
    int regionEnd = offsetOfLine(r.text(), r.lastLine());
    String region = r.text().substring(regionStart, regionEnd);

    ChatFormat chat = model.chatFormat();
    // Base models always answer in the region format, whatever format instruct models get.
    EditFormat asked = chat != null ? format.forInstruction(r.instruction()) : EditFormat.REWRITE;
    String prompt;
    List<String> stops;
    List<ChatMessage> conversation = List.of();
    SuspectLine suspect = null;
    if (chat != null) {
      String user =
          EditPrompts.chatUser(
              r.path(), r.text(), r.firstLine(), r.lastLine(), region, r.instruction());
      conversation = List.of(ChatMessage.system(asked.system()), ChatMessage.user(user));
      prompt = chat.render(conversation).text();
      stops = List.of();
      // Scored now, before the first answer, so that the session keeps the whole conversation
      // for a second look (a fill in between runs in a session of its own); it names the line
      // only there (see below).
      suspect =
          asked == EditFormat.FIX_REWRITE
              ? suspectLine(r, prompt, regionStart, region, cancelled)
              : null;
      if (suspect != null) {
        steps.accept(new FixStep.Suspected(suspect.line(), suspect.text(), suspect.lowest()));
      }
    } else {
      prompt = EditPrompts.region(r.path(), r.text(), r.firstLine(), r.lastLine(), r.instruction());
      stops = List.of("<EDIT_END>", "</FILE>", "<FILE=", "<EDIT_START=");
    }
    int maxTokens = model.countTokens(region) * 2 + 128;
    // "Add a docstring" and the like: only the answer's documentation is taken, so generation may
    // stop once it is there, and the code keeps every byte. A selection that cannot take one is
    // refused here, never handed to the ordinary edit.
    DocOnlyEdit docOnly = DocOnlyEdit.of(r.path(), region, r.instruction());
    String answer =
        docOnly == null
            ? model.generate(prompt, maxTokens, stops, cancelled)
            : model.generate(prompt, maxTokens, stops, cancelled, docOnly::answerComplete);
    if (cancelled.getAsBoolean()) {
      throw new EditException("the edit was cancelled");
    }
    if (docOnly != null) {
      String updated =
          r.text().substring(0, regionStart)
              + docOnly.apply(answer)
              + r.text().substring(regionEnd);
      CopyGuard.check(r.path(), r.text(), updated);
      return updated;
    }
    // Base models always answer in the region format (bare lines), whatever format instruct
    // models get; an instruct model's answer without a code block is prose and is refused.
    EditAnswer parsed =
        chat != null
            ? EditAnswerParser.parseChat(answer, asked, region)
            : EditAnswerParser.parse(answer, EditFormat.REWRITE);
    String updated = applied(r, regionStart, regionEnd, parsed);
    if (asked != EditFormat.FIX_REWRITE) {
      return updated;
    }
    if (!sameIgnoringTrailingSpace(updated, r.text())) {
      return withKeptSuspectFilled(
          r.path(), fileHead(r, prompt), r.text(), updated, suspect, cancelled, steps);
    }
    // A fix that changed nothing: the bug was not found (most of the 1.5B's misses), or there is
    // none. What follows looks again at the line the model itself finds least likely: its fill,
    // then maybe a second look pointed at it. Only here: pointed at it in the first turn, the 1.5B
    // lost more tasks than it won (docs/QUALITY.md, "Fix tasks: the least likely line").
    if (suspect != null && !suspect.unlikelyEnough()) {
      // Nothing reads unusual to the model either: the code is likely right, and a second look
      // pointed at a likely line mostly changed correct code (docs/QUALITY.md, "Fix tasks: a second
      // look only at an unlikely line").
      steps.accept(
          new FixStep.NothingSuspect(suspect.line(), suspect.lowest(), SuspectLine.threshold()));
      return updated;
    }
    // The unlikely line, written again from the code around it, before any second look (on the
    // file as it is, so that no other line takes the answer's spacing; one line changes, so there
    // is nothing for CopyGuard to catch). Written as it stands, the line is no bug to the model and
    // the unchanged answer stands: on the 1.5B's correct code the fill mostly writes it so, where a
    // second look changed it and broke the function (docs/QUALITY.md, "Fix tasks: the fill
    // before a second look"). Otherwise a one-token repair that makes the line read likely goes
    // before the fill's own line (suspectFixed). A fill out of time ends without an answer of its
    // own (EditModel.fill), leaving the file; then, with no repair either, the second look.
    String fixed = suspectFixed(r.path(), fileHead(r, prompt), r.text(), suspect, cancelled, steps);
    if (fixed != null) {
      return fixed.isEmpty() ? updated : fixed;
    }
    // No repair, and the fill not taken, cut off or impossible: ask once more in the same
    // conversation, with the unchanged answer as the model's turn, pointed at the suspect line.
    // With no score (a model that cannot score text, or scoring cut by a time limit, a full queue
    // or a long context) nothing says the code is likely: the second look runs, unpointed, as it
    // did before the gate, when it won 15 of the 1.5B's 164 fix tasks.
    steps.accept(new FixStep.AskedAgain(suspect == null ? 0 : suspect.line()));
    List<ChatMessage> again = new ArrayList<>(conversation);
    again.add(ChatMessage.assistant(answer.strip()));
    again.add(
        ChatMessage.user(
            suspect == null
                ? EditPrompts.FIX_UNCHANGED
                : EditPrompts.fixUnchanged(suspect.line(), suspect.text())));
    String last;
    try {
      String second = model.generate(chat.render(again).text(), maxTokens, stops, cancelled);
      if (cancelled.getAsBoolean()) {
        throw new EditException("the edit was cancelled");
      }
      last = second;
      if (EditAnswerParser.isProse(second, asked)) {
        // Prose on the second look, mostly the one sentence asked for, which sometimes names the
        // right fix without the code: ask once for the lines with that correction.
        again.add(ChatMessage.assistant(second.strip()));
        again.add(ChatMessage.user(EditPrompts.FIX_NAMED));
        last = model.generate(chat.render(again).text(), maxTokens, stops, cancelled);
        if (cancelled.getAsBoolean()) {
          throw new EditException("the edit was cancelled");
        }
      }
    } catch (EditModel.OutOfTime e) {
      return updated; // no time for another look: the first answer, no change, stands
    }
    EditAnswer reparsed;
    try {
      reparsed = EditAnswerParser.parseChat(last, asked, region);
    } catch (EditException e) {
      // Prose again, or an answer that cannot be read: the first answer, no change, stands.
      reparsed = null;
    }
    return reparsed == null ? updated : applied(r, regionStart, regionEnd, reparsed);
  }

  /**
   * {@code updated}, a fix's first answer that changed lines of {@code text}, with the suspect line
   * written again by fill-in-the-middle when the answer left it as it stood and it reads unlikely
   * enough: such an answer mostly changed something else (a docstring's example, the spelling of a
   * slice) and kept the bug, which on the 1.5B's fix tasks was the line the model finds least
   * likely (docs/QUALITY.md, "Fix tasks: a first answer that kept the suspect line"); a one-token
   * repair goes before the fill's line, as after an unchanged answer ({@link #suspectFixed}). A
   * fill that writes the line as it stands, or neither taken, leaves the answer as it is; no second
   * look follows a changed answer. An answer that rewrote the suspect line may lose to its
   * one-token repair instead ({@link #repairedOverAnswer}).
   */
  private String withKeptSuspectFilled(
      String path,
      String head,
      String text,
      String updated,
      SuspectLine suspect,
      BooleanSupplier cancelled,
      Consumer<FixStep> steps)
      throws EditException {
    if (suspect == null || !suspect.unlikelyEnough()) {
      return updated;
    }
    if (!hasLine(updated, suspect.text())) {
      return repairedOverAnswer(head, text, updated, suspect, cancelled, steps);
    }
    if (model.fimFormat() == FimFormat.PREFIX_ONLY) {
      return updated;
    }
    int kept = onlyLineEqualTo(updated, suspect.text());
    if (kept < 1 || onlyLineEqualTo(text, suspect.text()) != suspect.line()) {
      return updated; // changed, or a line repeated: no telling which the answer kept
    }
    steps.accept(new FixStep.SuspectKept(suspect.line(), kept));
    // The answer's own line: the same code, with the answer's line end.
    SuspectLine there = suspect.at(kept, updated.split("\n", -1)[kept - 1]);
    String fixed = suspectFixed(path, head, updated, there, cancelled, steps);
    return fixed == null || fixed.isEmpty() ? updated : fixed;
  }

  /**
   * {@code updated}, a fix's first answer that rewrote the suspect line, or, when the line's
   * one-token repair reads at least as likely to the model as the lines the answer changed, {@code
   * text} with that repair instead ({@link FixStep.RepairedOverAnswer}; the answer's other changes
   * are dropped with it). An answer that brings any line the repair would try stands, with whatever
   * else it changed.
   */
  private String repairedOverAnswer(
      String head,
      String text,
      String updated,
      SuspectLine suspect,
      BooleanSupplier cancelled,
      Consumer<FixStep> steps)
      throws EditException {
    if (suspect.token() != null
        && SuspectTokenRepair.candidates(suspect.text(), suspect.token()).stream()
            .anyMatch(candidate -> hasLine(updated, candidate))) {
      // The answer made a one-token change the model expected there, which scoring would mostly
      // confirm: on the 1.5B, 67 of 100 such answers, whose scoring passes (some 15-20 s there)
      // this saves; in the one where a likelier repair differed, both passed (HumanEval/85).
      return updated;
    }
    SuspectTokenRepair.Repair repair =
        head == null ? null : SuspectTokenRepair.repair(model, head, text, suspect, cancelled);
    if (cancelled.getAsBoolean()) {
      throw new EditException("the edit was cancelled");
    }
    if (repair == null) {
      return updated;
    }
    double answerLowest = AnswerLikelihood.lowest(model, head, text, updated, cancelled);
    if (cancelled.getAsBoolean()) {
      throw new EditException("the edit was cancelled");
    }
    // Ties go to the repair: the scores tie where the least likely token is in a line both leave
    // as it was, and then the smaller change is the likelier fix (HumanEval/38, /62).
    if (Double.isNaN(answerLowest) || repair.lowest() < answerLowest) {
      return updated;
    }
    steps.accept(
        new FixStep.RepairedOverAnswer(
            suspect.line(), repair.before(), repair.after(), repair.lowest(), answerLowest));
    return repair.text();
  }

  /**
   * {@code text} with the suspect line written again: by fill-in-the-middle ({@link
   * SuspectLineRefill}), or, when the fill does not write it as it stands, by the smallest change
   * after which it reads likely, a token taken out or swapped ({@link SuspectTokenRepair}), which
   * goes before the fill's own line: the fill rewrote lines whose one-token repair was the fix.
   * Empty when the fill wrote the line as it stands (no bug to the model: the caller's answer
   * stands); null when nothing was taken (the caller may look again).
   *
   * @param head the text before the file where the fix prompt holds it, null when unknown
   */
  private String suspectFixed(
      String path,
      String head,
      String text,
      SuspectLine suspect,
      BooleanSupplier cancelled,
      Consumer<FixStep> steps)
      throws EditException {
    SuspectLineRefill.Outcome fill =
        SuspectLineRefill.refill(model, path, text, suspect, cancelled, steps);
    if (cancelled.getAsBoolean()) {
      throw new EditException("the edit was cancelled");
    }
    if (fill.confirmed()) {
      return "";
    }
    SuspectTokenRepair.Repair repair =
        head == null || suspect == null
            ? null
            : SuspectTokenRepair.repair(model, head, text, suspect, cancelled);
    if (cancelled.getAsBoolean()) {
      throw new EditException("the edit was cancelled");
    }
    if (repair != null) {
      steps.accept(
          new FixStep.Repaired(
              suspect.line(),
              repair.before(),
              repair.after(),
              repair.lowest(),
              fill.filled() == null ? null : fill.filled().after()));
      return repair.text();
    }
    if (fill.filled() != null) {
      steps.accept(fill.filled());
    }
    return fill.text().equals(text) ? null : fill.text();
  }

  /**
   * The 1-based number of the one line of {@code text} equal to {@code line} but for a line end's
   * {@code \r} (an answer's lines may end otherwise than the file's), or 0 for none or several.
   */
  private static int onlyLineEqualTo(String text, String line) {
    List<Integer> found = linesEqualTo(text, line);
    return found.size() == 1 ? found.getFirst() : 0;
  }

  /** Whether {@code text} has a line equal to {@code line} but for a line end's {@code \r}. */
  private static boolean hasLine(String text, String line) {
    return !linesEqualTo(text, line).isEmpty();
  }

  /**
   * The 1-based numbers of the lines of {@code text} equal to {@code line} but for a {@code \r}.
   */
  private static List<Integer> linesEqualTo(String text, String line) {
    String wanted = withoutReturn(line);
    String[] lines = text.split("\n", -1);
    List<Integer> found = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      if (withoutReturn(lines[i]).equals(wanted)) {
        found.add(i + 1);
      }
    }
    return found;
  }

  private static String withoutReturn(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  /**
   * The region's line the model finds least likely, scored where the file stands in {@code prompt}
   * (the fix prompt without a suspect line); null when the model cannot score text or the prompt
   * does not hold the file as {@link EditPrompts#chatUser} wrote it (a template that trims it).
   */
  private SuspectLine suspectLine(
      Request r, String prompt, int regionStart, String region, BooleanSupplier cancelled) {
    String head = fileHead(r, prompt);
    if (head == null) {
      return null;
    }
    String context = head + r.text().substring(0, regionStart);
    return SuspectLine.pick(model.lineScores(context, region, cancelled), region, r.firstLine());
  }

  /**
   * The fix prompt up to the file's text, which the file's lines are scored after; null when the
   * prompt does not hold the file as {@link EditPrompts#chatUser} wrote it (a template that trims
   * it).
   */
  private static String fileHead(Request r, String prompt) {
    String head = EditPrompts.chatFileHead(r.path(), r.text());
    int file = prompt.indexOf(head + r.text());
    return file < 0 ? null : prompt.substring(0, file + head.length());
  }

  /** The file with {@code parsed} applied, checked by {@link CopyGuard}. */
  private static String applied(Request r, int regionStart, int regionEnd, EditAnswer parsed)
      throws EditException {
    String updated =
        switch (parsed) {
          case EditAnswer.Region(String newRegion) ->
              RegionAnchoring.apply(r.text(), regionStart, regionEnd, newRegion);
          case EditAnswer.SearchReplace(var blocks) -> Anchoring.apply(r.text(), blocks);
          case EditAnswer.Diff(var hunks) -> Anchoring.apply(r.text(), hunks);
        };
    CopyGuard.check(r.path(), r.text(), updated);
    return updated;
  }

  /** Whether {@code a} and {@code b} differ at most in spaces at line ends and trailing lines. */
  static boolean sameIgnoringTrailingSpace(String a, String b) {
    return trimmedLines(a).equals(trimmedLines(b));
  }

  private static List<String> trimmedLines(String text) {
    List<String> lines = new ArrayList<>(text.lines().map(String::stripTrailing).toList());
    while (!lines.isEmpty() && lines.getLast().isEmpty()) {
      lines.removeLast();
    }
    return lines;
  }

  /**
   * Whether {@code r} can be asked of the model at all: false when its instruction asks for
   * documentation alone and the selection or its language cannot take it ({@link DocOnlyEdit#of}
   * refuses it up front, as {@link #edit} would). Costs a parse of the selected lines, no model.
   */
  public static boolean canAsk(Request r) {
    String region =
        r.text()
            .substring(
                offsetOfLine(r.text(), r.firstLine() - 1), offsetOfLine(r.text(), r.lastLine()));
    try {
      DocOnlyEdit.of(r.path(), region, r.instruction());
      return true;
    } catch (EditException e) {
      return false;
    }
  }

  /** Offset of the start of 0-based {@code line} (the text's length past the end). */
  static int offsetOfLine(String text, int line) {
    int offset = 0;
    for (int l = 0; l < line; l++) {
      int next = text.indexOf('\n', offset);
      if (next < 0) {
        return text.length();
      }
      offset = next + 1;
    }
    return offset;
  }
}
