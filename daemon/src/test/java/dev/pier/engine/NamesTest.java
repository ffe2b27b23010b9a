package dev.pier.engine;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NamesTest {
    private static final String ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void generatedNamesStayFreeWhenThePlainOnesRunOut() {
        Set<String> taken = new HashSet<>();
        // Far more containers than plain adjective_name pairs: every one still gets a free name at once.
        for (int i = 0; i < 2000; i++) {
            String name = Names.generateFree(String.format("%064x", i), taken::contains);
            assertThat(taken.add(name)).as(name).isTrue();
            assertThat(Names.validate(name)).isEqualTo(name);
        }
    }

    @Test
    void whenEveryTryIsTakenTheIdPrefixIsTheName() {
        assertThat(Names.generateFree(ID, n -> true)).isEqualTo("0123456789ab");
    }
}
