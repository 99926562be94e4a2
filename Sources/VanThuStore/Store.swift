public enum VanThuStorePlaceholder {}
