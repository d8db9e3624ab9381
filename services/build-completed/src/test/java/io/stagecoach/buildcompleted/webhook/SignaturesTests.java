package io.stagecoach.buildcompleted.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.stagecoach.buildcompleted.webhook.Signatures.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SignaturesTests {

    // GitHub's documented test vector
    private static final String SECRET = "It's a Secret to Everybody";
    private static final String BODY = "Hello, World!";
    private static final String SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    @Test
    void signsTheTestVectorAsGitHubDoes() {
        assertThat(Signatures.sign(bytes(SECRET), bytes(BODY))).isEqualTo(SIGNATURE);
    }

    @ParameterizedTest(name = "secret \"{0}\", body \"{1}\", header \"{2}\" -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "NULL", value = {
            // the test vector
            "It's a Secret to Everybody | Hello, World!  | sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17 | VALID",
            // hex digits in upper case and surrounding blanks are still the same signature
            "It's a Secret to Everybody | Hello, World!  | \" sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17 \" | VALID",
            // a tampered body: one character more, one changed, one missing
            "It's a Secret to Everybody | Hello, World!! | sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17 | MISMATCH",
            "It's a Secret to Everybody | Hello, world!  | sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17 | MISMATCH",
            "It's a Secret to Everybody | Hello, World   | sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17 | MISMATCH",
            // the right body signed with another secret
            "It's a secret to everybody | Hello, World!  | sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17 | MISMATCH",
            // a signature with one digit changed
            "It's a Secret to Everybody | Hello, World!  | sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18 | MISMATCH",
            // no header, or an empty one
            "It's a Secret to Everybody | Hello, World!  | NULL | MISSING",
            "It's a Secret to Everybody | Hello, World!  | \"\"   | MISSING",
            // not sha256=<64 hex digits>
            "It's a Secret to Everybody | Hello, World!  | 757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17 | MALFORMED",
            "It's a Secret to Everybody | Hello, World!  | sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59 | MALFORMED",
            "It's a Secret to Everybody | Hello, World!  | sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1 | MALFORMED",
            "It's a Secret to Everybody | Hello, World!  | sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17 | MALFORMED",
    })
    void verifiesTheSignatureOfTheRawBody(String secret, String body, String header, Verdict expected) {
        assertThat(Signatures.verify(bytes(secret), bytes(body), header)).isEqualTo(expected);
    }

    @Test
    void aSignatureCoversEveryByteOfTheBody() {
        byte[] secret = bytes(SECRET);
        byte[] body = bytes("{\"service\":\"knative-lambda-builder\",\"version\":\"1.4.2\"}");
        String signature = Signatures.sign(secret, body);
        for (int i = 0; i < body.length; i++) {
            byte[] tampered = body.clone();
            tampered[i] ^= 0x01;
            assertThat(Signatures.verify(secret, tampered, signature)).as("byte %d flipped", i)
                    .isEqualTo(Verdict.MISMATCH);
        }
        assertThat(Signatures.verify(secret, body, signature)).isEqualTo(Verdict.VALID);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
