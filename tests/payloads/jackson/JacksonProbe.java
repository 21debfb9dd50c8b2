// How Jackson reads JSON, asked directly: the answers in ../jackson_expected.json come from here.
// Each input line is a JSON string holding one document; each output line is the default
// ObjectMapper's answer, a tab, and the answer with STRICT_DUPLICATE_DETECTION.
//   javac -cp $CP JacksonProbe.java && java -cp $CP:. JacksonProbe inputs.jsonl
// with $CP the jackson-databind, jackson-core and jackson-annotations jars (2.17.2 in ~/.m2).
import com.fasterxml.jackson.databind.*;
import com.fasterxml.jackson.core.*;
import java.util.*;
import java.nio.file.*;
public class JacksonProbe {
  static String describe(Object v) {
    if (v == null) return "null";
    if (v instanceof Map) { StringBuilder b = new StringBuilder("{");
      for (Object e : ((Map)v).entrySet()) { Map.Entry en=(Map.Entry)e; if (b.length()>1) b.append(", "); b.append(en.getKey()).append("=").append(describe(en.getValue())); }
      return b.append("}").toString(); }
    if (v instanceof List) { StringBuilder b = new StringBuilder("[");
      for (Object e : (List)v) { if (b.length()>1) b.append(", "); b.append(describe(e)); }
      return b.append("]").toString(); }
    String cls = v.getClass().getSimpleName();
    String s = v.toString();
    if (v instanceof String) { StringBuilder b=new StringBuilder(); for (char c: s.toCharArray()) { if (c<0x20||c>0x7e) b.append(String.format("\\u%04x",(int)c)); else b.append(c);} s=b.toString(); }
    return cls + ":" + s;
  }
  public static void main(String[] a) throws Exception {
    List<String> lines = Files.readAllLines(Paths.get(a[0]));
    ObjectMapper m = new ObjectMapper();
    ObjectMapper strict = new ObjectMapper(); strict.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      // each line: a JSON-escaped java string literal of the input (we decode with Jackson itself)
      String input = m.readValue(line, String.class);
      out.append(result(m, input)).append("\t").append(result(strict, input)).append("\n");
    }
    System.out.print(out);
  }
  static String result(ObjectMapper m, String input) {
    try { return "ok " + describe(m.readValue(input, Object.class)); }
    catch (Exception e) { String msg = e.getMessage().split("\n")[0]; return "error " + e.getClass().getSimpleName() + ": " + msg; }
  }
}
