package dev.pier.linux;

/**
 * nftables refused a command. {@link #nftError()} is nft's own text, verbatim (the same lines
 * {@code nft -f} would print: the error, the offending input, carets under it).
 */
public class NftablesException extends RuntimeException {
    private final String nftError;

    public NftablesException(String message, String nftError) {
        super(nftError == null || nftError.isBlank() ? message : message + ":\n" + nftError.stripTrailing());
        this.nftError = nftError == null ? "" : nftError;
    }

    public NftablesException(String message, Throwable cause) {
        super(message, cause);
        this.nftError = "";
    }

    /** nft's error text as it printed it; empty when the failure happened before nft ran. */
    public String nftError() {
        return nftError;
    }
}
