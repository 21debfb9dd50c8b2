// Reference renderer for tests/engine: Apache Velocity 2.4.1 with JSON data parsed by Jackson,
// exactly as the platform does. One JSON request per stdin line:
//   {"template": "...", "context": {...}, "config": {...}, "tools": false}
// one JSON answer per stdout line: {"out": "..."} or {"error": "...", "root": "exception class",
// "chain": ["class: message", ...]} (the exception and each cause, outermost first).
// "tools": true also puts VelocityTools' NumberTool and MathTool in the context as
// $numberTool and $mathTool (they must then be on the classpath), with the US locale, and
// $failing, whose method explode() throws a RuntimeException (how a failing tool reads).
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;

public class VelocityOracle {
    /** A tool whose method throws, as one with a bug would. */
    public static class Failing {
        public String explode() {
            throw new RuntimeException();
        }
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.US);
        ObjectMapper json = new ObjectMapper();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> request = json.readValue(line, Map.class);
            Map<String, Object> answer = new LinkedHashMap<>();
            try {
                VelocityEngine engine = new VelocityEngine();
                Map<String, Object> config = (Map<String, Object>) request.getOrDefault("config", Map.of());
                for (Map.Entry<String, Object> e : config.entrySet()) {
                    engine.setProperty(e.getKey(), e.getValue());
                }
                engine.init();
                VelocityContext context = new VelocityContext();
                Map<String, Object> data = (Map<String, Object>) request.getOrDefault("context", Map.of());
                for (Map.Entry<String, Object> e : data.entrySet()) {
                    context.put(e.getKey(), e.getValue());
                }
                if (Boolean.TRUE.equals(request.get("tools"))) {
                    context.put("numberTool", Class.forName("org.apache.velocity.tools.generic.NumberTool")
                                .getDeclaredConstructor().newInstance());
                    context.put("mathTool", Class.forName("org.apache.velocity.tools.generic.MathTool")
                                .getDeclaredConstructor().newInstance());
                    context.put("failing", new Failing());
                }
                StringWriter writer = new StringWriter();
                engine.evaluate(context, writer, "t", (String) request.get("template"));
                answer.put("out", writer.toString());
            } catch (Throwable t) {
                Throwable root = t;
                List<String> chain = new ArrayList<>();
                chain.add(t.getClass().getName() + ": " + t.getMessage());
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                    chain.add(root.getClass().getName() + ": " + root.getMessage());
                }
                answer.put("error", String.valueOf(t.getMessage()));
                answer.put("root", root.getClass().getName());
                answer.put("chain", chain);
            }
            out.println(json.writeValueAsString(answer));
        }
    }
}
