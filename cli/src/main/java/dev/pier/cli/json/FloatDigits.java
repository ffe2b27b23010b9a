package dev.pier.cli.json;

import java.math.BigInteger;

/**
 * Decimal digits of a double, as Go's strconv finds them: the shortest digits that read back exactly,
 * or the exact value rounded half-to-even to a number of digits. No BigDecimal: its JDK 25 static
 * initialiser alone costs more than a whole command.
 *
 * <p>The value is {@code 0.d1d2d3... × 10^point}; {@code digits} has no trailing zeros and is empty
 * for zero.
 */
public record FloatDigits(String digits, int point) {

    /** Shortest round-tripping digits of a finite, non-negative value. */
    public static FloatDigits shortest(double value) {
        if (value == 0) {
            return new FloatDigits("", 0);
        }
        String s = Double.toString(value); // shortest since JDK 19: "123.45", "1.0E-5", "1.2345E10"
        int e = s.indexOf('E');
        int exponent = e < 0 ? 0 : Integer.parseInt(s.substring(e + 1));
        String mantissa = e < 0 ? s : s.substring(0, e);
        int dot = mantissa.indexOf('.');
        String whole = dot < 0 ? mantissa : mantissa.substring(0, dot);
        String fraction = dot < 0 ? "" : mantissa.substring(dot + 1);
        return normalize(whole + fraction, whole.length() + exponent);
    }

    /** The exact decimal expansion of a finite, non-negative value. */
    public static FloatDigits exact(double value) {
        if (value == 0) {
            return new FloatDigits("", 0);
        }
        long bits = Double.doubleToRawLongBits(value);
        int exponent = (int) ((bits >>> 52) & 0x7ff);
        long mantissa = bits & ((1L << 52) - 1);
        if (exponent == 0) {
            exponent = 1;
        } else {
            mantissa |= 1L << 52;
        }
        exponent -= 1075; // value = mantissa × 2^exponent
        if (exponent >= 0) {
            String digits = BigInteger.valueOf(mantissa).shiftLeft(exponent).toString();
            return normalize(digits, digits.length());
        }
        // mantissa × 2^-k = mantissa × 5^k / 10^k
        int k = -exponent;
        String digits = BigInteger.valueOf(mantissa).multiply(BigInteger.valueOf(5).pow(k)).toString();
        return normalize(digits, digits.length() - k);
    }

    /** Rounds half to even to {@code count} significant digits (count may exceed the digits). */
    public FloatDigits roundTo(int count) {
        if (count < 0) {
            return new FloatDigits("", point);
        }
        if (count >= digits.length()) {
            return this;
        }
        boolean up;
        char next = digits.charAt(count);
        if (next > '5') {
            up = true;
        } else if (next < '5') {
            up = false;
        } else {
            boolean more = false;
            for (int i = count + 1; i < digits.length(); i++) {
                if (digits.charAt(i) != '0') {
                    more = true;
                    break;
                }
            }
            // exactly half: round to even
            up = more || (count > 0 && (digits.charAt(count - 1) - '0') % 2 == 1);
        }
        if (!up) {
            return normalize(digits.substring(0, count), point);
        }
        char[] kept = digits.substring(0, count).toCharArray();
        int i = count - 1;
        while (i >= 0 && kept[i] == '9') {
            kept[i] = '0';
            i--;
        }
        if (i < 0) {
            return normalize("1" + new String(kept), point + 1);
        }
        kept[i]++;
        return normalize(new String(kept), point);
    }

    private static FloatDigits normalize(String digits, int point) {
        int start = 0;
        while (start < digits.length() && digits.charAt(start) == '0') {
            start++;
            point--;
        }
        int end = digits.length();
        while (end > start && digits.charAt(end - 1) == '0') {
            end--;
        }
        if (start == end) {
            return new FloatDigits("", 0);
        }
        return new FloatDigits(digits.substring(start, end), point);
    }
}
