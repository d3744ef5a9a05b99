package dev.cromwell.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.testing.RealModels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalogue models' own chat templates rendered by Jinjava must equal jinja2's renderings
 * (written by {@code chat/render_expected.py}, which bin/test re-checks against jinja2).
 */
class ChatFormatTest {
  private static final Map<String, String[]> MODELS =
      Map.of(
          "smollm2-135m-instruct", new String[] {"<|im_start|>", "<|im_end|>"},
          "qwen2.5-coder-0.5b-instruct", new String[] {"<|endoftext|>", "<|im_end|>"},
          "qwen2.5-coder-1.5b-instruct", new String[] {"<|endoftext|>", "<|im_end|>"});

  static Stream<Arguments> renderings() throws IOException {
    JsonObject conversations =
        JsonParser.parseString(resource("conversations.json")).getAsJsonObject();
    List<Arguments> cases = new ArrayList<>();
    for (String model : MODELS.keySet().stream().sorted().toList()) {
      for (String name : conversations.keySet()) {
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonElement m : conversations.getAsJsonArray(name)) {
          JsonObject o = m.getAsJsonObject();
          messages.add(
              new ChatMessage(o.get("role").getAsString(), o.get("content").getAsString()));
        }
        cases.add(Arguments.of(model, name, messages));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("renderings")
  void jinjavaRendersTheTemplateAsJinja2Does(String model, String name, List<ChatMessage> messages)
      throws IOException {
    String[] tokens = MODELS.get(model);
    ChatFormat format = ChatFormat.of(resource(model + ".jinja"), tokens[0], tokens[1]);
    ChatFormat.Rendered r = format.render(messages);
    assertEquals(ChatFormat.Source.TEMPLATE, r.source(), r.note());
    assertEquals(resource(model + "." + name + ".txt"), r.text());
  }

  @Test
  void theTestTemplateIsTheOneInTheRealSmolLm2File() throws IOException {
    try (GgufFile file = GgufFile.open(RealModels.smollm2())) {
      assertEquals(
          resource("smollm2-135m-instruct.jinja"),
          file.string("tokenizer.chat_template").orElseThrow());
    }
  }

  @Test
  void aTemplateThatRaisesRefusesTheConversation() {
    ChatFormat format =
        ChatFormat.of(
            "{% if messages[0]['role'] == 'assistant' %}{{ raise_exception('Conversation must start"
                + " with a user') }}{% endif %}{{ messages[0]['content'] }}",
            "", "");
    ChatTemplateException e =
        assertThrows(
            ChatTemplateException.class,
            () -> format.render(List.of(new ChatMessage("assistant", "hi"))));
    assertTrue(e.getMessage().contains("Conversation must start with a user"), e.getMessage());
  }

  @Test
  void aTemplateJinjavaCannotRunFallsBackToTheFamilyRenderer() {
    ChatFormat format = ChatFormat.of("<|im_start|>{% for m in messages %}{{ m.role ", "", "");
    ChatFormat.Rendered r = format.render(List.of(ChatMessage.system("s"), ChatMessage.user("u")));
    assertEquals(ChatFormat.Source.FAMILY, r.source());
    assertEquals(
        "<|im_start|>system\ns<|im_end|>\n<|im_start|>user\nu<|im_end|>\n<|im_start|>assistant\n",
        r.text());
  }

  static String resource(String name) {
    return ChatResources.read(name);
  }
}
