package dev.pier.cli.command;

import java.util.List;

/** Natural sort as Docker uses it for names and port lines: digit runs compare as numbers. */
public final class NaturalOrder {
    private NaturalOrder() {
    }

    public static void sort(List<String> items) {
        // insertion sort: lists are short and this keeps lambdas off the start-up path
        for (int i = 1; i < items.size(); i++) {
            String item = items.get(i);
            int j = i - 1;
            while (j >= 0 && compare(items.get(j), item) > 0) {
                items.set(j + 1, items.get(j));
                j--;
            }
            items.set(j + 1, item);
        }
    }

    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int startA = i;
                int startB = j;
                while (i < a.length() && a.charAt(i) == '0') {
                    i++;
                }
                while (j < b.length() && b.charAt(j) == '0') {
                    j++;
                }
                int numberA = i;
                int numberB = j;
                while (i < a.length() && isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && isDigit(b.charAt(j))) {
                    j++;
                }
                int lengthA = i - numberA;
                int lengthB = j - numberB;
                if (lengthA != lengthB) {
                    return lengthA - lengthB;
                }
                int cmp = a.substring(numberA, i).compareTo(b.substring(numberB, j));
                if (cmp != 0) {
                    return cmp;
                }
                // equal values: fewer leading zeros first
                int zerosA = numberA - startA;
                int zerosB = numberB - startB;
                if (zerosA != zerosB) {
                    return zerosA - zerosB;
                }
            } else {
                if (ca != cb) {
                    return ca - cb;
                }
                i++;
                j++;
            }
        }
        return (a.length() - i) - (b.length() - j);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
