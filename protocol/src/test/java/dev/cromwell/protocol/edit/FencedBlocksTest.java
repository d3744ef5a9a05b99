package dev.cromwell.protocol.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Code blocks in answers ({@link FencedBlocks}) and the edits that depend on them: each case here
 * lost the user's text when a fence was any {@code ```} and a block ended at the next one.
 */
class FencedBlocksTest {
  @Test
  void backticksInASentenceAreNotAFence() throws EditException {
    String answer = "Wrap it in ``` fences:\n```python\nx = 1\n```\n";
    assertEquals(
        List.of(new FencedBlocks.Block("python", "x = 1\n", true)), FencedBlocks.of(answer));
    // Before, the sentence opened the block and the real fence closed it: an empty region.
    assertEquals(new EditAnswer.Region("x = 1\n"), EditAnswerParser.parse(answer));
  }

  @Test
  void aLongerOuterFenceKeepsTheInnerBlocksOfAMarkdownFile() throws EditException {
    String markdown = "Intro\n```sh\nmake\n```\nEnd\n";
    String answer = "````markdown\n" + markdown + "````\n";
    assertEquals(new EditAnswer.Region(markdown), EditAnswerParser.parse(answer));
  }

  @Test
  void aTaggedFenceInsideABlockOpensANestedBlockRatherThanEndingIt() throws EditException {
    String markdown = "Intro\n```sh\nmake\n```\nEnd\n";
    String answer = "Here:\n```markdown\n" + markdown + "```\nDone.";
    assertEquals(new EditAnswer.Region(markdown), EditAnswerParser.parse(answer));
    assertEquals(
        List.of(new FencedBlocks.Block("markdown", markdown, true)), FencedBlocks.of(answer));
  }

  @Test
  void blocksAreListedInOrderAndAnUnfinishedOneSaysSo() {
    String answer = "```\na\n```\ntext\n~~~py\nb\n~~~\n```python\nc = [\n";
    assertEquals(
        List.of(
            new FencedBlocks.Block("", "a\n", true),
            new FencedBlocks.Block("py", "b\n", true),
            new FencedBlocks.Block("python", "c = [\n", false)),
        FencedBlocks.of(answer));
    assertEquals(List.of(), FencedBlocks.of("inline ```x = 1``` only\n"));
  }

  @Test
  void aDiffBlockWithoutHunksIsRefusedNotPastedAsCode() {
    EditException e =
        assertThrows(
            EditException.class, () -> EditAnswerParser.parse("```diff\n- x = 0\n+ x = 1\n```\n"));
    assertTrue(e.getMessage().contains("no hunks"), e.getMessage());
  }

  @Test
  void anIndentedFenceOfAListItemIsAFence() throws EditException {
    String answer = "1. Change it:\n   ```python\n   x = 1\n   ```\n";
    assertEquals(new EditAnswer.Region("   x = 1\n"), EditAnswerParser.parse(answer));
  }

  @Test
  void aChatPromptQuotesAMarkdownFileWithLongerFencesSoItsBlocksStayInside() {
    // An untagged inner block: quoted in three backticks, its first fence would end the file.
    String readme = "# Build\n\n```\nmake\n```\n";
    String prompt =
        EditPrompts.chatUser("README.md", readme, 3, 5, "```\nmake\n```\n", "use cmake");
    List<FencedBlocks.Block> quoted = FencedBlocks.of(prompt);
    assertEquals(2, quoted.size(), prompt);
    assertEquals(readme, quoted.get(0).body());
    assertEquals("```\nmake\n```\n", quoted.get(1).body());
    assertEquals("```", EditPrompts.fenceAround("def f():\n    return 1\n"));
  }
}
