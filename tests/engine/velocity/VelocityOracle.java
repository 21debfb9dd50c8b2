// Reference renderer for tests/engine: Apache Velocity 2.4.1 with JSON data parsed by Jackson,
// exactly as the platform does. One JSON request per stdin line:
//   {"template": "...", "context": {...}, "config": {...}}
// one JSON answer per stdout line: {"out": "..."} or {"error": "...", "root": "exception class"}.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;

public class VelocityOracle {
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
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
                StringWriter writer = new StringWriter();
                engine.evaluate(context, writer, "t", (String) request.get("template"));
                answer.put("out", writer.toString());
            } catch (Throwable t) {
                Throwable root = t;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                answer.put("error", String.valueOf(t.getMessage()));
                answer.put("root", root.getClass().getName());
            }
            out.println(json.writeValueAsString(answer));
        }
    }
}
