import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The JDK's own Double.toString, one answer per request line, for tests/engine/double_oracle.py.
 *
 * A request is the IEEE 754 bit pattern of a double as 16 hex digits (so no decimal parsing
 * stands between the question and the answer); the answer is Double.toString of that value.
 */
public class DoubleToString {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        String line;
        while ((line = in.readLine()) != null) {
            long bits = Long.parseUnsignedLong(line.trim(), 16);
            out.println(Double.toString(Double.longBitsToDouble(bits)));
        }
        out.flush();
    }
}
