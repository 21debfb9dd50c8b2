// Reference harness for tests/platform: calls Apache VelocityTools' MathTool/NumberTool and
// the JDK's DecimalFormat/SimpleDateFormat/NumberFormat, one request per input line.
//
// Input (tab-separated):  tool <TAB> method <TAB> arg...     arg = i:5 l:5 d:2.5 s:text b:true n:
//   tool = math | number           -> VelocityTools method called by reflection
//   tool = decimal  (pattern, arg) -> new DecimalFormat(pattern, US symbols).format(arg)
//   tool = sdf      (pattern, tz, millis) / sdfparse (pattern, tz, text)
// Output: one line per request: Class:value | null | EXC SimpleClassName
import java.lang.reflect.*;
import java.text.*;
import java.util.*;

public class ToolHarness {
    static Object arg(String a) {
        String v = a.substring(2);
        switch (a.charAt(0)) {
            case 'i': return Integer.valueOf(v);
            case 'l': return Long.valueOf(v);
            case 'd': return Double.valueOf(v);
            case 'b': return Boolean.valueOf(v);
            case 'n': return null;
            default: return v;
        }
    }

    static String show(Object r) {
        if (r == null) return "null";
        return r.getClass().getSimpleName() + ":" + r;
    }

    public static void main(String[] argv) throws Exception {
        Locale.setDefault(Locale.US);
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        Object math = Class.forName("org.apache.velocity.tools.generic.MathTool").getDeclaredConstructor().newInstance();
        Object number = Class.forName("org.apache.velocity.tools.generic.NumberTool").getDeclaredConstructor().newInstance();
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, "UTF-8"));
        java.io.PrintStream out = new java.io.PrintStream(System.out, true, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            String[] p = line.split("\t", -1);
            try {
                Object[] args = new Object[p.length - 2];
                for (int i = 2; i < p.length; i++) args[i - 2] = arg(p[i]);
                switch (p[0]) {
                    case "decimal": {
                        DecimalFormat f = new DecimalFormat((String) args[0], new DecimalFormatSymbols(Locale.US));
                        out.println("String:" + f.format(args[1]));
                        break;
                    }
                    case "sdf": case "sdfparse": {
                        SimpleDateFormat f = new SimpleDateFormat((String) args[0], Locale.US);
                        f.setTimeZone(TimeZone.getTimeZone((String) args[1]));
                        if (p[0].equals("sdf")) out.println("String:" + f.format(new Date(((Number) args[2]).longValue())));
                        else {
                            Date d = f.parse((String) args[2], new ParsePosition(0));
                            out.println(d == null ? "null" : "Long:" + d.getTime());
                        }
                        break;
                    }
                    default: {
                        Object tool = p[0].equals("math") ? math : number;
                        out.println(show(invoke(tool, p[1], args)));
                    }
                }
            } catch (InvocationTargetException e) {
                out.println("EXC " + e.getCause().getClass().getSimpleName());
            } catch (Exception e) {
                out.println("EXC " + e.getClass().getSimpleName());
            }
        }
    }

    static Object invoke(Object tool, String name, Object[] args) throws Exception {
        Method varargs = null;
        for (Method m : tool.getClass().getMethods()) {
            if (!m.getName().equals(name)) continue;
            Class<?>[] t = m.getParameterTypes();
            if (m.isVarArgs()) { varargs = m; continue; }
            if (t.length != args.length) continue;
            boolean ok = true;
            for (int i = 0; i < t.length; i++) {
                if (args[i] != null && !t[i].isInstance(args[i]) && t[i] != Object.class) ok = false;
                if (args[i] == null && t[i].isPrimitive()) ok = false;
            }
            if (ok) return m.invoke(tool, args);
        }
        if (varargs != null) return varargs.invoke(tool, new Object[] { args });
        throw new NoSuchMethodException(name);
    }
}
